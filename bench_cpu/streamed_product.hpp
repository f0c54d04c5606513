// Decode's products, as inference engines run them on CPUs (llama.cpp's and vLLM's own
// kernels): a few rows of activations against a matrix read once from memory. Weights are stored
// as models store a linear layer's (one row of k per output) and each core streams its block of
// outputs; attention takes whole KV heads per core, the query heads of one KV head sharing its
// read. Through the BLAS, a decode step's attention is one tiny product per head, each call
// costing more than the KV cache it streams (6-16% of the read bandwidth here), and the
// weights' GEMVs reached 45-80% of it (OpenBLAS fp32 lowest).
#pragma once
#include <cstdint>

#include "bench_cpu/matmul.hpp"

namespace memwall::cpu {

// The most rows of A a streamed product takes: query rows times the heads of one KV head for
// attention; tokens for a weight (beyond, each weight is used often enough for the BLAS's
// blocking to pay off).
constexpr int64_t kStreamedRows = 16, kStreamedWeightRows = 8;

// Whether `count` products of `m` rows in format t, `group` sharing each B, go through
// streamed_products: decode's attention and weights (fp32 and bf16).
bool streamed(Number t, int64_t m, int64_t count, int64_t group);

// `count` row-major products C[m x n] = A[m x k] B[k x n], consecutive in a, c; `group`
// consecutive products share one B (grouped-query attention: the heads of one KV head), so
// each B is read once for its group's rows. `b_by_output`: each B stored B^T, one row of k per
// output ([n x k]), as models store a linear layer's weights and engines cache K (a row of
// head_dim a position); else as V is, [k x n]. Accumulates in fp32; split for `threads` cores
// (0: every core of the topology).
void streamed_products(Number t, const char* a, const char* b, char* c, int64_t m, int64_t n,
                       int64_t k, int64_t count, int64_t group, bool b_by_output, int threads = 0);

}  // namespace memwall::cpu
