#include "bench_cpu/options.hpp"

#include <algorithm>
#include <map>
#include <memory>

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

std::vector<ThreadPlacement> CpuOptions::placements() const {
  const std::vector<int>& cores = topology().core_cpus;
  if (threads.empty()) return thread_placements(topology());
  std::vector<ThreadPlacement> out;
  for (int t : threads) {
    if (t > static_cast<int>(cores.size()))
      throw UsageError("thread count " + std::to_string(t) + " is above the " +
                       std::to_string(cores.size()) + " cores of this machine");
    out.push_back({t, "the first " + std::to_string(t) + " cores",
                   std::vector<int>(cores.begin(), cores.begin() + t)});
  }
  return out;
}

ThreadPool& pool() {
  static ThreadPool shared(topology().core_cpus);
  return shared;
}

ThreadPool& pool_for(const std::vector<int>& cpus) {
  if (cpus == topology().core_cpus) return pool();
  static std::map<std::vector<int>, std::unique_ptr<ThreadPool>> pools;
  auto& p = pools[cpus];
  if (!p) p = std::make_unique<ThreadPool>(cpus);
  return *p;
}

}  // namespace memwall::cpu
