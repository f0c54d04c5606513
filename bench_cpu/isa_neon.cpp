// aarch64 Advanced SIMD. Non-temporal stores are STNP (a hint the core may ignore).
#include <arm_neon.h>

#include "bench_cpu/isa.hpp"

namespace memwall::cpu::neon {
struct Isa {
  static constexpr const char* name = "neon";
  using V = float64x2_t;
  static constexpr size_t W = 2;
  static V load(const double* p) { return vld1q_f64(p); }
  static void store(double* p, V v) { vst1q_f64(p, v); }
  static void stream(double* p, V v) {
    asm volatile("stnp %d1, %d2, [%0]" ::"r"(p), "w"(vget_low_f64(v)), "w"(vget_high_f64(v))
                 : "memory");
  }
  static V set1(double s) { return vdupq_n_f64(s); }
  static V add(V a, V b) { return vaddq_f64(a, b); }
  static V mul(V a, V b) { return vmulq_f64(a, b); }
  static V fma(V a, V b, V c) { return vfmaq_f64(c, a, b); }
  static double hsum(V v) { return vgetq_lane_f64(v, 0) + vgetq_lane_f64(v, 1); }
  static void fence() { asm volatile("dmb ish" ::: "memory"); }
};
#include "bench_cpu/stream_kernels.inl"
}  // namespace memwall::cpu::neon
