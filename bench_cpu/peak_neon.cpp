// aarch64: Advanced SIMD (NEON) FMA chains, int8 dot products (SDOT, the dotprod extension) and
// bf16 pair dot products (BFDOT), each compiled for its extension and run only where the CPU
// has it.
#include <arm_neon.h>

#include <iterator>

#include "bench_cpu/peak_kernels.hpp"

namespace memwall::cpu {

namespace {

constexpr int kChains = 24;  // 32 registers: up to 4 FMA pipes x 4-cycle latency, and room

struct Fp64 {
  using V = float64x2_t;
  using Scalar = double;
  static V set1(double v) { return vdupq_n_f64(v); }
  static V fma(V a, V b, V c) { return vfmaq_f64(c, a, b); }
  static bool equal(V v, double want) {
    return vgetq_lane_f64(v, 0) == want && vgetq_lane_f64(v, 1) == want;
  }
  static void keep(V& v) { asm volatile("" : "+w"(v)); }
};

struct Fp32 {
  using V = float32x4_t;
  using Scalar = float;
  static V set1(float v) { return vdupq_n_f32(v); }
  static V fma(V a, V b, V c) { return vfmaq_f32(c, a, b); }
  static bool equal(V v, float want) { return vminvq_f32(v) == want && vmaxvq_f32(v) == want; }
  static void keep(V& v) { asm volatile("" : "+w"(v)); }
};

#include "bench_cpu/peak_fma.inl"

bool int32_lanes_are(int32x4_t v, int want) {
  return vminvq_s32(v) == want && vmaxvq_s32(v) == want;
}

__attribute__((target("arch=armv8.2-a+dotprod"))) bool dot_int8(uint64_t iterations) {
  int32x4_t acc[kChains];
  for (int k = 0; k < kChains; ++k) {
    acc[k] = vdupq_n_s32(k);
    asm volatile("" : "+w"(acc[k]));
  }
  int8x16_t a = vdupq_n_s8(1), b = vdupq_n_s8(1);
  asm volatile("" : "+w"(a), "+w"(b));
  for (uint64_t i = 0; i < iterations; ++i) {
#pragma GCC unroll 24
    for (int k = 0; k < kChains; ++k) acc[k] = vdotq_s32(acc[k], a, b);  // +4 per lane
  }
  bool ok = true;
  for (int k = 0; k < kChains; ++k)
    ok = ok && int32_lanes_are(acc[k], static_cast<int>(k + 4 * iterations));
  return ok;
}

__attribute__((target("arch=armv8.2-a+bf16"))) bool dot_bf16(uint64_t iterations) {
  float32x4_t acc[kChains];
  for (int k = 0; k < kChains; ++k) {
    acc[k] = vdupq_n_f32(static_cast<float>(k));
    asm volatile("" : "+w"(acc[k]));
  }
  // Pairs (1, 1) . (2^-6, 2^-6): each instruction adds 2^-5 to every lane, exactly.
  bfloat16x8_t ones = vcvtq_high_bf16_f32(vcvtq_low_bf16_f32(vdupq_n_f32(1.0f)), vdupq_n_f32(1.0f));
  bfloat16x8_t steps =
      vcvtq_high_bf16_f32(vcvtq_low_bf16_f32(vdupq_n_f32(1.0f / 64)), vdupq_n_f32(1.0f / 64));
  asm volatile("" : "+w"(ones), "+w"(steps));
  for (uint64_t i = 0; i < iterations; ++i) {
#pragma GCC unroll 24
    for (int k = 0; k < kChains; ++k) acc[k] = vbfdotq_f32(acc[k], ones, steps);
  }
  bool ok = true;
  for (int k = 0; k < kChains; ++k) {
    const float want = static_cast<float>(k + static_cast<double>(iterations) / 32);
    ok = ok && vminvq_f32(acc[k]) == want && vmaxvq_f32(acc[k]) == want;
  }
  return ok;
}

constexpr PeakKernel kKernels[] = {
    {"fp64", "neon", "fmla v.2d", 128, 64, 1, kChains * 2 * 2.0, fma_chains<Fp64>, "neon"},
    {"fp32", "neon", "fmla v.4s", 128, 32, 1, kChains * 4 * 2.0, fma_chains<Fp32>, "neon"},
    {"bf16", "neon", "bfdot v.4s", 128, 32, 2, kChains * 8 * 2.0, dot_bf16, "neon,bf16"},
    {"int8", "neon", "sdot v.4s", 128, 32, 4, kChains * 16 * 2.0, dot_int8, "neon,asimddp"},
};

}  // namespace

extern const PeakKernelTable kNeonPeakKernels;
const PeakKernelTable kNeonPeakKernels = {kKernels, std::size(kKernels)};

}  // namespace memwall::cpu
