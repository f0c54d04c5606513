// Decode's attention: the few query rows of one KV head against its K and V, read once from
// memory, as inference engines' fused attention kernels run it on CPUs. Through the BLAS it is
// one tiny product per head, each call costing more than the KV cache it streams (6-16% of the
// read bandwidth here); here every core takes whole KV heads (or a part of one), streams their
// rows once and keeps fp32 sums in cache, and the query heads of one KV head share its read.
// Decode's products: a few rows of activations against a matrix read once from memory (the
// weights, or a KV cache), as inference engines run them on CPUs (llama.cpp's and vLLM's own
// GEMV kernels): every thread streams its own contiguous rows of B once and keeps its partial
// sums in cache. The BLAS's GEMV and small-GEMM paths reach 45-60% of the read bandwidth on
// these shapes; a decode step is judged against the read roof, so it is measured the way that
// reaches it.
#pragma once
#include <cstdint>

#include "bench_cpu/matmul.hpp"

namespace memwall::cpu {

// The most rows of A (query rows times the heads of one KV head) a streamed product takes.
constexpr int64_t kStreamedRows = 16;

// Whether `count` products of `m` rows in format t, `group` sharing each B, go through
// streamed_products: attention in decode (fp32 and bf16).
bool streamed(Number t, int64_t m, int64_t count, int64_t group);

// `count` row-major products C[m x n] = A[m x k] B[k x n], consecutive in a, c; `group`
// consecutive products share one B (grouped-query attention: the heads of one KV head), so
// each B is read once for its group's rows. Accumulates in fp32; on every core.
void streamed_products(Number t, const char* a, const char* b, char* c, int64_t m, int64_t n,
                       int64_t k, int64_t count, int64_t group);

}  // namespace memwall::cpu
