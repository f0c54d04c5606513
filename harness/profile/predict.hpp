// What a model's decode and prefill steps take on a device, predicted from the profile alone:
// every matrix product at the lower of its compute roof (the format's measured peak) and its
// bandwidth roof (the memory level its operands stream from, at the bandwidth of the kernel that
// moves bytes as the product does: weights and KV cache only read), summed over the layers and
// the LM head. No measuring: `memwall predict` answers for a model the catalog lacks.
#pragma once
#include <string>
#include <vector>

#include "core/models.hpp"
#include "harness/profile/model.hpp"

namespace memwall::harness {

// Bytes per element of a format; InputError for one memwall does not know.
int format_bytes(const std::string& type);

// InputError where the profile has no peak of `type` or no memory bandwidth on the device, or
// a batch or context below 1.
ModelPrediction predict(const Profile& p, const std::string& device, const ModelConfig& m,
                        const std::string& type, int batch, int context);

// The pipeline's step: for each model step that ran, the prediction at its shape beside its
// measured time; for each CPU and GPU, Llama-3-8B at batch 1 and context 4096 in bf16 (else the
// walls' format), for the first screen.
std::vector<ModelPrediction> models_step(const Profile& p);

// The prediction as a few lines of text, with what it read from the profile.
std::string prediction_text(const ModelPrediction& pr);

}  // namespace memwall::harness
