// Matrix products through the BLAS (OpenBLAS for fp32 and fp64, oneDNN for bf16), and the check
// of their result against a reference computed in double on a sample of entries.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/bf16.hpp"

namespace memwall::cpu {

enum class Number { fp32, fp64, bf16 };
Number parse_number(const std::string& text);  // UsageError for formats this build lacks
const char* to_string(Number n);
int element_bytes(Number n);
// The formats this build can multiply, best known first: fp32, bf16 (with oneDNN), fp64.
std::vector<std::string> available_numbers();

// Row-major C[m x n] = A[m x k] * B[k x n], all three in format t (bf16 accumulates in fp32).
// fp32/fp64 with m == 1 use gemv (decode of one sequence): OpenBLAS's gemm path for one row is
// several times slower than its gemv.
// `b_is_weight`: B stays the same from call to call (a weight matrix, not a KV cache), so a
// library may pack it once into its own layout, as inference engines do at load time.
void matmul(Number t, const void* a, const void* b, void* c, int64_t m, int64_t n, int64_t k,
            bool b_is_weight = false);

// Drops every packed copy of weights: call it before the weight buffers are freed, or a new
// buffer at the same address would be multiplied with the old contents.
void forget_packed_weights();

// Compares `samples` entries of C (picked from `seed`) with sum_k A[i,k]*B[k,j] in double,
// within the rounding error of the format. Returns "" when they agree, else what differs.
// `b_transposed`: b holds B^T, one row of k per column of B (a linear layer's weights as
// models store them).
std::string check_matmul_sample(Number t, const void* a, const void* b, const void* c, int64_t m,
                                int64_t n, int64_t k, int samples, uint64_t seed,
                                bool b_transposed = false);

// Whether the library can multiply in format t on this CPU (oneDNN has no bf16 matmul below
// AVX-512); when not, `why` says so. Asked once, before any product of that format is built.
bool number_supported(Number t, std::string& why);

// The libraries in use, for the result context; have_blas(): at least one format works.
std::string blas_description();
bool have_blas();

}  // namespace memwall::cpu
