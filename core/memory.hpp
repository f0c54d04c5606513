// How much memory this process may still use, so a working set that cannot fit is refused
// before anything is allocated (not discovered by the OOM killer mid-run).
#pragma once
#include <cstdint>

namespace memwall {

// MemAvailable from /proc/meminfo, lowered to what a cgroup v2 memory.max leaves; 0 if unknown.
uint64_t memory_available_bytes();

}  // namespace memwall
