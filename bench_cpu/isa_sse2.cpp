#include <emmintrin.h>

#include "bench_cpu/isa.hpp"

namespace memwall::cpu::sse2 {
struct Isa {
  static constexpr const char* name = "sse2";
  using V = __m128d;
  static constexpr size_t W = 2;
  static V load(const double* p) { return _mm_load_pd(p); }
  static void store(double* p, V v) { _mm_store_pd(p, v); }
  static void stream(double* p, V v) { _mm_stream_pd(p, v); }
  static V set1(double s) { return _mm_set1_pd(s); }
  static V add(V a, V b) { return _mm_add_pd(a, b); }
  static V mul(V a, V b) { return _mm_mul_pd(a, b); }
  static V fma(V a, V b, V c) { return _mm_add_pd(_mm_mul_pd(a, b), c); }  // no FMA in SSE2
  static double hsum(V v) { return _mm_cvtsd_f64(_mm_add_sd(v, _mm_unpackhi_pd(v, v))); }
  static void fence() { _mm_sfence(); }
};
#include "bench_cpu/stream_kernels.inl"
}  // namespace memwall::cpu::sse2
