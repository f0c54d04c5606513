// STREAM-style kernels compiled once per vector ISA and picked at run time from what the CPU
// has, so one binary runs the widest vectors everywhere.
#pragma once
#include <cstddef>
#include <string>
#include <vector>

#include "core/cpu_id.hpp"

namespace memwall::cpu {

// out, x, y are 64-byte aligned; n is a multiple of kStreamGrain. Each kernel makes `passes`
// passes over the arrays (inside the ISA's code, so tiny in-L1 sizes do not measure a call per
// pass). read returns the sum of x over all passes; the others return 0.
using StreamFn = double (*)(double* out, const double* x, const double* y, double s, size_t n,
                            size_t passes);
constexpr size_t kStreamGrain = 16;  // elements; covers two AVX-512 vectors

enum StreamOp {
  kRead,
  kWrite,
  kCopy,
  kScale,
  kAdd,
  kTriad,
  kWriteNt,
  kCopyNt,
  kTriadNt,
  kStreamOps
};

struct StreamKernelSet {
  const char* isa;
  StreamFn fn[kStreamOps];
};

// The ISAs this build has kernels for, widest first.
std::vector<const StreamKernelSet*> compiled_isas();
// Whether this CPU can run the named ISA.
bool cpu_supports(const std::string& isa);
// "auto" gives auto_isa's choice; otherwise that ISA, or UsageError if it is not compiled in or
// this CPU lacks it.
const StreamKernelSet& select_isa(const std::string& name);
// The widest of `runnable` (widest first), except AVX-512 where the CPU executes each 512-bit
// operation as two 256-bit halves (AMD Zen 4) and AVX2 is there: measured on a Zen 4 guest, 2
// threads, the AVX2 kernels stream at least as fast at every size (read at 32 KiB 430 vs 395
// GB/s, as likwid-bench's load_avx and load_avx512 both reach about 420; DRAM triad the same or
// faster), so the wider vectors only add micro-ops.
std::string auto_isa(const CpuId& cpu, const std::vector<std::string>& runnable);

}  // namespace memwall::cpu
