#include "bench_cpu/chase.hpp"

#include <algorithm>

namespace memwall::cpu {

char* pointer_slot(void* base, uint64_t stride, uint64_t index) {
  // The line within the element: the sum of the index's base-L digits mod L (L lines per
  // element), so every run of L^k elements uses each line offset equally often and the chain
  // spreads over all the sets of a cache (a random pick would load some sets early and move
  // the edges; one fixed offset would use 1/L of the sets).
  const uint64_t lines = std::max<uint64_t>(1, stride / 64);
  uint64_t line = 0;
  if (lines > 1) {
    for (uint64_t rest = index; rest > 0; rest /= lines) line += rest % lines;
    line %= lines;
  }
  const uint64_t slots = std::min<uint64_t>(stride, 64) / sizeof(void*);
  const uint64_t slot = slots > 1 ? ((index * 0x9e3779b97f4a7c15ull) >> 40) % slots : 0;
  return static_cast<char*>(base) + index * stride + line * 64 + slot * sizeof(void*);
}

void* link_chase(void* base, uint64_t stride, const std::vector<uint64_t>& order) {
  for (size_t k = 0; k < order.size(); ++k) {
    const uint64_t next = order[(k + 1) % order.size()];
    *reinterpret_cast<void**>(pointer_slot(base, stride, order[k])) =
        pointer_slot(base, stride, next);
  }
  return pointer_slot(base, stride, order[0]);
}

__attribute__((noinline)) void* chase(void* p, uint64_t steps) {
  void** q = static_cast<void**>(p);
  uint64_t i = 0;
  for (; i + 16 <= steps; i += 16) {
#define MEMWALL_STEP q = static_cast<void**>(*q);
    MEMWALL_STEP MEMWALL_STEP MEMWALL_STEP MEMWALL_STEP MEMWALL_STEP MEMWALL_STEP MEMWALL_STEP
        MEMWALL_STEP MEMWALL_STEP MEMWALL_STEP MEMWALL_STEP MEMWALL_STEP MEMWALL_STEP MEMWALL_STEP
            MEMWALL_STEP MEMWALL_STEP
#undef MEMWALL_STEP
  }
  for (; i < steps; ++i) q = static_cast<void**>(*q);
  return q;
}

uint64_t cycle_length(void* start, uint64_t limit) {
  void* p = start;
  for (uint64_t steps = 1; steps <= limit; ++steps) {
    p = *static_cast<void**>(p);
    if (p == start) return steps;
  }
  return 0;
}

}  // namespace memwall::cpu
