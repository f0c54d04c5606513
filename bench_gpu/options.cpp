#include "bench_gpu/options.hpp"

#include "core/units.hpp"

namespace memwall::gpu {

namespace {
GpuOptions g_options;
}

const GpuOptions& options() {
  return g_options;
}
GpuOptions& mutable_options() {
  return g_options;
}

std::vector<uint64_t> GpuOptions::sizes(uint64_t largest, const RunConfig& config) const {
  const uint64_t hi = max_bytes ? max_bytes : largest;
  const int per_octave = config.quick() ? 1 : points_per_octave;
  return size_sweep(min_bytes, hi, per_octave, 256);
}

}  // namespace memwall::gpu
