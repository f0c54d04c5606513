// Matrix products through the BLAS (OpenBLAS), and the check of their result against a
// reference computed in double on a sample of entries.
#pragma once
#include <cstdint>
#include <string>

namespace memwall::cpu {

enum class Number { fp32, fp64 };
Number parse_number(const std::string& text);  // UsageError for formats the BLAS lacks
const char* to_string(Number n);
int element_bytes(Number n);

// Row-major C[m x n] = A[m x k] * B[k x n]. Uses gemv when m == 1 (decode of one sequence):
// the BLAS's gemm path for one row is several times slower than its gemv.
void matmul(Number t, const void* a, const void* b, void* c, int64_t m, int64_t n, int64_t k);

// Compares `samples` entries of C (picked from `seed`) with sum_k A[i,k]*B[k,j] in double,
// within the rounding error bound of a K-term sum in the format. Returns "" when they agree,
// else what differs.
std::string check_matmul_sample(Number t, const void* a, const void* b, const void* c, int64_t m,
                                int64_t n, int64_t k, int samples, uint64_t seed);

// The BLAS in use, for the result context ("OpenBLAS 0.3.21 Haswell", or "none").
std::string blas_description();
bool have_blas();

}  // namespace memwall::cpu
