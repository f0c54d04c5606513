// bench_cpu's own command line (what every family shares: sizes, threads, vectors); each
// family declares the rest of its flags itself.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/buffer.hpp"
#include "core/registry.hpp"
#include "core/thread_pool.hpp"

namespace memwall::cpu {

struct CpuOptions {
  uint64_t min_bytes = 4096;
  uint64_t max_bytes = 0;  // 0: at least 1 GiB and 4x the last-level cache
  int points_per_octave = 4;
  std::vector<int> threads;  // empty: 1, 2, 4, ... and all cores (quick: all cores only)
  std::string isa = "auto";

  // Resolved from the above and the machine.
  uint64_t resolved_max_bytes() const;
  std::vector<uint64_t> sizes() const;
  std::vector<int> thread_counts(const RunConfig& config) const;
};

// Parsed once in main() before any family registers.
const CpuOptions& options();
CpuOptions& mutable_options();

// One pinned worker per core, created on first use; thread 0 is the caller.
ThreadPool& pool();

}  // namespace memwall::cpu
