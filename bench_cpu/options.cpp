#include "bench_cpu/options.hpp"

#include <algorithm>

#include "core/topology.hpp"
#include "core/units.hpp"

namespace memwall::cpu {

namespace {
CpuOptions g_options;
}  // namespace

const CpuOptions& options() {
  return g_options;
}
CpuOptions& mutable_options() {
  return g_options;
}

uint64_t CpuOptions::resolved_max_bytes() const {
  if (max_bytes) return max_bytes;
  return std::max<uint64_t>(1ull << 30, 4 * topology().llc_bytes_total());
}

std::vector<uint64_t> CpuOptions::sizes() const {
  return size_sweep(min_bytes, resolved_max_bytes(), points_per_octave, 64);
}

std::vector<int> CpuOptions::thread_counts(const RunConfig& config) const {
  const int cores = static_cast<int>(topology().core_cpus.size());
  if (!threads.empty()) {
    for (int t : threads)
      if (t > cores)
        throw UsageError("thread count " + std::to_string(t) + " is above the " +
                         std::to_string(cores) + " cores of this machine");
    return threads;
  }
  if (config.quick()) return {cores};
  std::vector<int> counts;  // 1, 2, 4, ... and all cores
  for (int t = 1; t < cores; t *= 2) counts.push_back(t);
  counts.push_back(cores);
  return counts;
}

ThreadPool& pool() {
  static ThreadPool shared(topology().core_cpus);
  return shared;
}

}  // namespace memwall::cpu
