#include <immintrin.h>

#include "bench_cpu/isa.hpp"

namespace memwall::cpu::avx2 {
struct Isa {
  static constexpr const char* name = "avx2";
  using V = __m256d;
  static constexpr size_t W = 4;
  static V load(const double* p) { return _mm256_load_pd(p); }
  static void store(double* p, V v) { _mm256_store_pd(p, v); }
  static void stream(double* p, V v) { _mm256_stream_pd(p, v); }
  static V set1(double s) { return _mm256_set1_pd(s); }
  static V add(V a, V b) { return _mm256_add_pd(a, b); }
  static V mul(V a, V b) { return _mm256_mul_pd(a, b); }
  static V fma(V a, V b, V c) { return _mm256_fmadd_pd(a, b, c); }
  static double hsum(V v) {
    const __m128d pair = _mm_add_pd(_mm256_castpd256_pd128(v), _mm256_extractf128_pd(v, 1));
    return _mm_cvtsd_f64(_mm_add_sd(pair, _mm_unpackhi_pd(pair, pair)));
  }
  static void fence() { _mm_sfence(); }
};
#include "bench_cpu/stream_kernels.inl"
}  // namespace memwall::cpu::avx2
