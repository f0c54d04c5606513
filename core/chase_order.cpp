#include "core/chase_order.hpp"

#include <algorithm>
#include <numeric>
#include <random>

namespace memwall {

std::vector<uint64_t> chase_order(uint64_t elements, uint64_t group_elements, ChaseOrder order,
                                  uint64_t seed) {
  std::vector<uint64_t> out(elements);
  std::iota(out.begin(), out.end(), 0);
  if (order == ChaseOrder::stride || elements < 2) return out;
  std::mt19937_64 rng(seed);
  if (order == ChaseOrder::random || group_elements >= elements || group_elements == 0) {
    std::shuffle(out.begin(), out.end(), rng);
    return out;
  }
  const uint64_t groups = (elements + group_elements - 1) / group_elements;
  std::vector<uint64_t> group_order(groups);
  std::iota(group_order.begin(), group_order.end(), 0);
  std::shuffle(group_order.begin(), group_order.end(), rng);
  uint64_t k = 0;
  for (uint64_t g : group_order) {
    const uint64_t lo = g * group_elements;
    const uint64_t hi = std::min(elements, lo + group_elements);
    const uint64_t first = k;
    for (uint64_t line = lo; line < hi; ++line) out[k++] = line;
    std::shuffle(out.begin() + first, out.begin() + k, rng);
  }
  return out;
}

bool is_permutation_of_lines(const std::vector<uint64_t>& order) {
  std::vector<bool> seen(order.size(), false);
  for (uint64_t line : order) {
    if (line >= order.size() || seen[line]) return false;
    seen[line] = true;
  }
  return true;
}

}  // namespace memwall
