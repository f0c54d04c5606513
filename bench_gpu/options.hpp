// bench_gpu's command line, as its families read it.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/models.hpp"

namespace memwall::gpu {

enum class Mode { quick, normal, full };

struct GpuOptions {
  Mode mode = Mode::normal;
  int device = 0;
  uint64_t min_bytes = 4096;
  uint64_t max_bytes = 0;  // 0: 3/4 of the free device memory
  int points_per_octave = 4;
  std::vector<std::string> gemm_types;  // empty: tf32, fp16, bf16, fp8 (sm_89+), int8
  std::vector<int> gemm_sizes;          // empty: 8192 (quick 4096)
  std::vector<ModelConfig> models;
  std::vector<int> batches, seqs;
  std::vector<Phase> phases;
  std::vector<std::string> xfmr_types;  // empty: bf16, fp8 where the GPU has it

  std::vector<uint64_t> sizes(uint64_t largest) const;  // memory curve working sets
};

const GpuOptions& options();
GpuOptions& mutable_options();

}  // namespace memwall::gpu
