// bench_gpu's own command line (the GPU and the memory curve's sizes); each family declares
// the rest of its flags itself.
#pragma once
#include <cstdint>
#include <vector>

#include "core/registry.hpp"

namespace memwall::gpu {

struct GpuOptions {
  int device = 0;
  uint64_t min_bytes = 4096;
  uint64_t max_bytes = 0;  // 0: 3/4 of the free device memory
  int points_per_octave = 4;
  // Memory curve working sets (quick: one per octave).
  std::vector<uint64_t> sizes(uint64_t largest, const RunConfig& config) const;
};

const GpuOptions& options();
GpuOptions& mutable_options();

}  // namespace memwall::gpu
