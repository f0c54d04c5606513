#include <immintrin.h>

#include "bench_cpu/isa.hpp"

namespace memwall::cpu::avx512 {
struct Isa {
  static constexpr const char* name = "avx512";
  using V = __m512d;
  static constexpr size_t W = 8;
  static V load(const double* p) { return _mm512_load_pd(p); }
  static void store(double* p, V v) { _mm512_store_pd(p, v); }
  static void stream(double* p, V v) { _mm512_stream_pd(p, v); }
  static V set1(double s) { return _mm512_set1_pd(s); }
  static V add(V a, V b) { return _mm512_add_pd(a, b); }
  static V mul(V a, V b) { return _mm512_mul_pd(a, b); }
  static V fma(V a, V b, V c) { return _mm512_fmadd_pd(a, b, c); }
  static double hsum(V v) {  // once per call; _mm512_reduce_add_pd trips GCC 12 warnings
    alignas(64) double lanes[8];
    _mm512_store_pd(lanes, v);
    return ((lanes[0] + lanes[1]) + (lanes[2] + lanes[3])) +
           ((lanes[4] + lanes[5]) + (lanes[6] + lanes[7]));
  }
  static void fence() { _mm_sfence(); }
};
#include "bench_cpu/stream_kernels.inl"
}  // namespace memwall::cpu::avx512
