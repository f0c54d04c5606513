// STREAM's and BabelStream's kernels, one table for every device (BabelStream's model: one
// kernel table, each backend runs it): the arrays each reads and writes per element, and so how
// its bytes count. bench_cpu's and bench_gpu's tables add how they run each kernel.
#pragma once
#include <cstdint>
#include <span>
#include <string_view>

namespace memwall {

struct StreamWeights {
  const char* name;
  int reads;         // arrays read per element
  int writes;        // arrays written per element
  bool nontemporal;  // stores that bypass the caches: no line is read before it is written
};

// read, write, copy, scale, add, triad, dot, write_nt, copy_nt, triad_nt.
std::span<const StreamWeights> stream_weights();
// std::invalid_argument for a name the table lacks.
const StreamWeights& stream_weights(std::string_view name);

// Bytes of one pass over `elements` elements, counted as STREAM (and BabelStream) count them:
// each array element read or written once.
uint64_t stream_bytes(const StreamWeights& k, uint64_t elements, uint64_t element_bytes);
// The same plus the line each plain (not non-temporal) store reads first: write-allocate.
uint64_t write_allocate_bytes(const StreamWeights& k, uint64_t elements, uint64_t element_bytes);

}  // namespace memwall
