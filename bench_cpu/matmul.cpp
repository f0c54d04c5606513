#include "bench_cpu/matmul.hpp"

#include <cmath>
#include <limits>
#include <random>

#include "core/units.hpp"

#ifdef MEMWALL_HAVE_OPENBLAS
#include <cblas.h>
extern "C" char* openblas_get_corename(void);
extern "C" char* openblas_get_config(void);
#endif

namespace memwall::cpu {

Number parse_number(const std::string& text) {
  if (text == "fp32") return Number::fp32;
  if (text == "fp64") return Number::fp64;
  if (text == "bf16" || text == "int8" || text == "fp16")
    throw UsageError("number format '" + text +
                     "' for GEMM needs oneDNN or an OpenBLAS with sbgemm; this build's BLAS has "
                     "fp32 and fp64 (peak " +
                     text + " rates are in cpu.flops)");
  throw UsageError("unknown number format '" + text + "' (fp32, fp64)");
}

const char* to_string(Number n) {
  return n == Number::fp32 ? "fp32" : "fp64";
}
int element_bytes(Number n) {
  return n == Number::fp32 ? 4 : 8;
}

#ifdef MEMWALL_HAVE_OPENBLAS
bool have_blas() {
  return true;
}

std::string blas_description() {
  return std::string(openblas_get_config()) + "; core " + openblas_get_corename();
}

namespace {
// The single and double precision BLAS calls differ only in their names.
template <typename T, typename Gemv, typename Gemm>
void blas_product(Gemv gemv, Gemm gemm, const void* a, const void* b, void* c, int64_t m, int64_t n,
                  int64_t k) {
  const auto M = static_cast<blasint>(m), N = static_cast<blasint>(n), K = static_cast<blasint>(k);
  const auto* A = static_cast<const T*>(a);
  const auto* B = static_cast<const T*>(b);
  auto* C = static_cast<T*>(c);
  if (m == 1)  // y = B^T x: one row of A against every column of B
    gemv(CblasRowMajor, CblasTrans, K, N, T{1}, B, N, A, 1, T{0}, C, 1);
  else
    gemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, M, N, K, T{1}, A, K, B, N, T{0}, C, N);
}
}  // namespace

void matmul(Number t, const void* a, const void* b, void* c, int64_t m, int64_t n, int64_t k) {
  if (t == Number::fp32)
    blas_product<float>(cblas_sgemv, cblas_sgemm, a, b, c, m, n, k);
  else
    blas_product<double>(cblas_dgemv, cblas_dgemm, a, b, c, m, n, k);
}
#else
bool have_blas() {
  return false;
}
std::string blas_description() {
  return "none (libopenblas-dev missing at configure time)";
}
void matmul(Number, const void*, const void*, void*, int64_t, int64_t, int64_t) {}
#endif

namespace {
template <typename T>
std::string check_sample(const T* a, const T* b, const T* c, int64_t m, int64_t n, int64_t k,
                         int samples, uint64_t seed) {
  std::mt19937_64 rng(seed);
  const double eps = std::numeric_limits<T>::epsilon();
  for (int s = 0; s < samples; ++s) {
    const int64_t i = static_cast<int64_t>(rng() % static_cast<uint64_t>(m));
    const int64_t j = static_cast<int64_t>(rng() % static_cast<uint64_t>(n));
    double ref = 0, magnitude = 0;
    for (int64_t p = 0; p < k; ++p) {
      const double term = static_cast<double>(a[i * k + p]) * static_cast<double>(b[p * n + j]);
      ref += term;
      magnitude += std::fabs(term);
    }
    // Rounding errors of a K-term sum grow like sqrt(K) * eps * sum|terms| (they are
    // independent); K * eps is the worst case nobody meets. 8 sqrt(K) keeps a wide margin for
    // any summation order the BLAS picks while a wrong product is off by far more.
    const double bound = 8.0 * std::sqrt(static_cast<double>(k)) * eps * magnitude + 1e-30;
    const double got = static_cast<double>(c[i * n + j]);
    if (!(std::fabs(got - ref) <= bound))
      return "C[" + std::to_string(i) + "," + std::to_string(j) + "] = " + std::to_string(got) +
             ", reference " + std::to_string(ref);
  }
  return "";
}
}  // namespace

std::string check_matmul_sample(Number t, const void* a, const void* b, const void* c, int64_t m,
                                int64_t n, int64_t k, int samples, uint64_t seed) {
  if (t == Number::fp32)
    return check_sample(static_cast<const float*>(a), static_cast<const float*>(b),
                        static_cast<const float*>(c), m, n, k, samples, seed);
  return check_sample(static_cast<const double*>(a), static_cast<const double*>(b),
                      static_cast<const double*>(c), m, n, k, samples, seed);
}

}  // namespace memwall::cpu
