#include "bench_comm/options.hpp"

#include <algorithm>

namespace memwall::comm {

namespace {
CommOptions g_options;
}

const CommOptions& options() {
  return g_options;
}
CommOptions& mutable_options() {
  return g_options;
}

uint64_t CommOptions::largest_message(const RunConfig& config) const {
  return max_bytes ? max_bytes : config.quick() ? (4ull << 20) : (64ull << 20);
}

std::vector<uint64_t> CommOptions::message_sizes(uint64_t floor, const RunConfig& config) const {
  const uint64_t lo = std::max(floor, min_bytes);
  const uint64_t hi = largest_message(config);
  std::vector<uint64_t> sizes;
  int k = 0;
  for (uint64_t b = lo; b <= hi; b *= 2, ++k)
    if (!config.quick() || k % 4 == 0 || b * 2 > hi) sizes.push_back(b);
  return sizes;
}

}  // namespace memwall::comm
