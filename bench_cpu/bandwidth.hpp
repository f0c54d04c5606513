// How this CPU runs the STREAM kernels: each kernel of core's one table (core/stream_kernels.hpp,
// which counts the bytes) with its instruction-set function, whether quick runs take it, and
// the output element its check expects.
#pragma once
#include <cstdint>
#include <span>

#include "bench_cpu/isa.hpp"
#include "core/registry.hpp"

namespace memwall::cpu {

struct StreamKernel {
  const char* name;
  StreamOp op;
  int reads;   // arrays read per element
  int writes;  // arrays written per element
  bool nontemporal;
  bool in_quick;
  double (*expect)(double x, double y, double s);  // the output element; for read, x
};

std::span<const StreamKernel> stream_kernels();
// Bytes of one pass over `elements` elements, counted as STREAM does.
uint64_t stream_bytes(const StreamKernel& k, uint64_t elements);
// The same plus the line each plain (not non-temporal) store reads first: write-allocate.
uint64_t hw_bytes(const StreamKernel& k, uint64_t elements);

}  // namespace memwall::cpu
