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

struct StepPrediction {
  double flops = 0, bytes = 0;         // one step, every layer and the LM head
  double compute_s = 0, memory_s = 0;  // the products' time at each roof, summed where it binds
  double seconds = 0;
  double tokens_per_s = 0;
  std::string bound;  // memory or compute: the larger share of the step's time
};

struct ModelPrediction {
  std::string device, device_name, model, type;
  int batch = 0, context = 0;
  double parameters = 0, weights_bytes = 0, kv_bytes_per_token = 0;
  double peak_GFLOPps = 0, memory_GBps = 0;
  std::string memory_level, memory_kernel;  // DRAM / HBM, and the kernel its bandwidth is from
  double experts_touched = 1;               // distinct experts a decode step reads per layer
  StepPrediction decode, prefill;           // prefill: the prompt of `context` tokens
  int compute_bound_from_batch = 0;         // the first decode batch (to 65536) bound by compute
  double memory_bytes = 0;                  // the device's memory, where the profile knows it
  double largest_batch_x_context = 0;       // tokens of KV cache beside the weights
  // Weights beyond the device's memory, streamed over its measured host link every step.
  double spill_bytes = 0, spill_GBps = 0;
  std::string spill_link;
  // Training, by C = 6 P D: FLOPs per token and seconds per billion tokens at the peak.
  double train_flops_per_token = 0, train_s_per_billion_tokens = 0;
  std::vector<std::string> notes;
};

// Bytes per element of a format; InputError for one memwall does not know.
int format_bytes(const std::string& type);

// InputError where the profile has no peak of `type` or no memory bandwidth on the device, or
// a batch or context below 1.
ModelPrediction predict(const Profile& p, const std::string& device, const ModelConfig& m,
                        const std::string& type, int batch, int context);

// The prediction as a few lines of text, with what it read from the profile.
std::string prediction_text(const ModelPrediction& pr);

}  // namespace memwall::harness
