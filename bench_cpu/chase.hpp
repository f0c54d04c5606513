// Pointer-chase orders: one cycle through every element of a buffer (one pointer per `stride`
// bytes, as multichase's -s), so each load depends on the one before and the prefetcher cannot
// guess the next address.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/chase_order.hpp"

namespace memwall::cpu {

// multichase's default stride, and what Intel MLC's idle latency (measured with prefetchers
// off) corresponds to: one line per 256 bytes leaves the adjacent-line and stream prefetchers
// nothing to fetch ahead.
constexpr uint64_t kDefaultChaseStride = 256;

// Where in the buffer the pointer of element `index` lives: in one line of its `stride`-byte
// element, the lines balanced over the cache sets, at an 8-byte slot picked by a hash of the
// index so successive loads do not all hit the same offset (L1 bank, prefetcher key), as
// multichase mixes its offsets. One line per element is touched.
char* pointer_slot(void* base, uint64_t stride, uint64_t index);

// Writes into element order[k] a pointer to element order[k+1] (the last to the first): a
// single cycle through every element. Returns the start (element order[0]).
void* link_chase(void* base, uint64_t stride, const std::vector<uint64_t>& order);

// Follows `steps` pointers from p; the loads are dependent so the time is latency.
void* chase(void* p, uint64_t steps);

// Counts the steps until the walk from `start` returns to it (at most `limit`).
uint64_t cycle_length(void* start, uint64_t limit);

}  // namespace memwall::cpu
