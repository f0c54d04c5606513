#include "bench_comm/gpu_plan.hpp"

#include <algorithm>
#include <set>

namespace memwall::comm {

namespace {

bool every_pair(int gpus, RunMode mode, double time_scale) {
  return mode == RunMode::full || (mode == RunMode::normal && gpus <= 8 && time_scale >= 0.5);
}

}  // namespace

std::vector<std::pair<int, int>> p2p_pairs(int gpus, RunMode mode, double time_scale) {
  std::set<std::pair<int, int>> pairs;
  for (int a = 0; a < gpus; ++a) {
    if (every_pair(gpus, mode, time_scale)) {
      for (int b = 0; b < gpus; ++b)
        if (a != b) pairs.insert({a, b});
      continue;
    }
    for (const int b : {(a + 1) % gpus, (a + gpus - 1) % gpus, (a + gpus / 2) % gpus})
      if (a != b) pairs.insert({a, b});
  }
  return {pairs.begin(), pairs.end()};
}

std::string p2p_sampling(int gpus, RunMode mode, double time_scale) {
  const size_t n = p2p_pairs(gpus, mode, time_scale).size();
  const size_t all = gpus > 1 ? static_cast<size_t>(gpus) * (gpus - 1) : 0;
  if (n == all) return "every ordered pair (" + std::to_string(n) + ")";
  return std::to_string(n) + " of " + std::to_string(all) +
         " ordered pairs: each GPU to its ring neighbours and to the GPU half the node away "
         "(--full takes every pair)";
}

std::vector<int> nccl_rank_counts(int gpus) {
  std::vector<int> out;
  for (int k = 2; k < gpus; k *= 2) out.push_back(k);
  if (gpus >= 1) out.push_back(gpus);
  return out;
}

}  // namespace memwall::comm
