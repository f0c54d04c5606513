// The visiting order of a pointer chase, for every device's chase (bench_cpu's, bench_gpu's):
// one cycle through every element, so each load depends on the one before and no prefetcher
// can guess the next address.
#pragma once
#include <cstdint>
#include <vector>

namespace memwall {

enum class ChaseOrder {
  local,   // page groups in random order, elements within each group in random order
  random,  // elements in random order over the whole buffer (TLB misses included)
  stride,  // elements in address order (what prefetching hides)
};

// The visiting order of `elements` elements (each index exactly once). `group_elements` is the
// size of a page group for ChaseOrder::local.
std::vector<uint64_t> chase_order(uint64_t elements, uint64_t group_elements, ChaseOrder order,
                                  uint64_t seed);

// True when `order` holds each of 0..order.size()-1 exactly once.
bool is_permutation_of_lines(const std::vector<uint64_t>& order);

}  // namespace memwall
