// Pointer-chase orders: one cycle through every cache line of a buffer, so each load depends
// on the one before and the prefetcher cannot guess the next address.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

namespace memwall::cpu {

enum class ChaseOrder {
  local,   // page groups in random order, lines within each group in random order
  random,  // lines in random order over the whole buffer (TLB misses included)
  stride,  // lines in address order (what prefetching hides)
};

// The visiting order of `lines` lines (each index exactly once). `group_lines` is the size of
// a page group for ChaseOrder::local.
std::vector<uint64_t> chase_order(uint64_t lines, uint64_t group_lines, ChaseOrder order,
                                  uint64_t seed);

// True when `order` holds each of 0..order.size()-1 exactly once.
bool is_permutation_of_lines(const std::vector<uint64_t>& order);

// Where in the buffer the pointer of `line` lives: not always at the start of the line but at
// one of its 8-byte slots picked by a hash of the line number, so successive loads do not all
// hit the same offset (and the same L1 bank or prefetcher key), as multichase does.
char* pointer_slot(void* base, uint64_t line_bytes, uint64_t line);

// Writes into line order[k] a pointer to line order[k+1] (the last to the first): a single
// cycle through every line. Returns the start (line order[0]).
void* link_chase(void* base, uint64_t line_bytes, const std::vector<uint64_t>& order);

// Follows `steps` pointers from p; the loads are dependent so the time is latency.
void* chase(void* p, uint64_t steps);

// Counts the steps until the walk from `start` returns to it (at most `limit`).
uint64_t cycle_length(void* start, uint64_t limit);

}  // namespace memwall::cpu
