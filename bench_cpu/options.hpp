// bench_cpu's command line, as its families read it.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/buffer.hpp"
#include "core/models.hpp"
#include "core/thread_pool.hpp"

namespace memwall::cpu {

enum class Mode { quick, normal, full };

struct CpuOptions {
  Mode mode = Mode::normal;
  uint64_t min_bytes = 4096;
  uint64_t max_bytes = 0;  // 0: at least 1 GiB and 4x the last-level cache
  int points_per_octave = 4;
  std::vector<int> threads;  // empty: 1..cores (quick: all cores only)
  std::string isa = "auto";
  std::vector<Pages> bw_pages;   // empty: huge
  std::vector<Pages> lat_pages;  // empty: huge and 4k (quick: huge)
  uint64_t tlb_group_bytes = 256 << 10;
  uint64_t chase_stride = 256;  // bytes per chase element, as multichase -s

  // Transformer products. Empty lists: a set of shapes chosen by the mode.
  std::vector<ModelConfig> models;
  std::vector<int> batches, seqs;
  std::vector<Phase> phases;            // empty: both
  std::vector<std::string> xfmr_types;  // empty: fp32
  double xfmr_max_flops = 0;            // per product; 0: by mode
  std::vector<int> gemm_sizes;          // square GEMM n; empty: by mode
  uint64_t xfmr_max_bytes = 0;          // per benchmark's buffers; 0: 4 GiB or a sixth of RAM

  // Resolved from the above and the machine.
  uint64_t resolved_max_bytes() const;
  std::vector<uint64_t> sizes() const;
  std::vector<int> thread_counts() const;
};

// Parsed once in main() before any family registers.
const CpuOptions& options();
CpuOptions& mutable_options();

// One pinned worker per core, created on first use; thread 0 is the caller.
ThreadPool& pool();

}  // namespace memwall::cpu
