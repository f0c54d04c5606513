// bench_cpu's own command line (what every family shares: sizes, threads, vectors); each
// family declares the rest of its flags itself.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/buffer.hpp"
#include "core/registry.hpp"
#include "core/thread_pool.hpp"
#include "core/topology.hpp"

namespace memwall::cpu {

struct CpuOptions {
  uint64_t min_bytes = 4096;
  uint64_t max_bytes = 0;  // 0: at least 1 GiB and 4x the last-level cache
  int points_per_octave = 4;
  std::vector<int> threads;  // empty: the placements of the topology (thread_placements)
  std::string isa = "auto";

  // Resolved from the above and the machine.
  uint64_t resolved_max_bytes() const;
  std::vector<uint64_t> sizes() const;
  // --threads N,M: the first N cores (compact); else where the machine's bandwidth steps.
  std::vector<ThreadPlacement> placements() const;
};

// Parsed once in main() before any family registers.
const CpuOptions& options();
CpuOptions& mutable_options();

// One pinned worker per core, created on first use; thread 0 is the caller.
ThreadPool& pool();
// Workers pinned to these cores (pool() where they are all of them), made when the benchmarks
// register: cpus[0] is always the first core, the caller's.
ThreadPool& pool_for(const std::vector<int>& cpus);

}  // namespace memwall::cpu
