#include <immintrin.h>

#include <iterator>

#include "bench_cpu/peak_kernels.hpp"

namespace memwall::cpu {

namespace {

constexpr int kChains = 16;  // 2 FMA units x 4-cycle latency, with room to spare

// Lane values start at the chain index so the compiler cannot merge identical chains.
template <typename V, typename Set>
void init_chains(V (&acc)[kChains], Set set) {
  for (int k = 0; k < kChains; ++k) {
    acc[k] = set(k);
    asm volatile("" : "+v"(acc[k]));
  }
}

struct Fp64 {
  using V = __m512d;
  using Scalar = double;
  static V set1(double v) { return _mm512_set1_pd(v); }
  static V fma(V a, V b, V c) { return _mm512_fmadd_pd(a, b, c); }
  static bool equal(V v, double want) { return _mm512_cmpeq_pd_mask(v, set1(want)) == 0xff; }
  static void keep(V& v) { asm volatile("" : "+v"(v)); }
};

struct Fp32 {
  using V = __m512;
  using Scalar = float;
  static V set1(float v) { return _mm512_set1_ps(v); }
  static V fma(V a, V b, V c) { return _mm512_fmadd_ps(a, b, c); }
  static bool equal(V v, float want) { return _mm512_cmpeq_ps_mask(v, set1(want)) == 0xffff; }
  static void keep(V& v) { asm volatile("" : "+v"(v)); }
};

#include "bench_cpu/peak_fma.inl"

__attribute__((target("avx512bf16"))) bool dot_bf16(uint64_t iterations) {
  __m512 acc[kChains];
  init_chains(acc, [](int k) { return _mm512_set1_ps(static_cast<float>(k)); });
  // Pairs (1, 1) . (2^-6, 2^-6): each instruction adds 2^-5 to every fp32 lane, exactly.
  __m512bh ones = _mm512_cvtne2ps_pbh(_mm512_set1_ps(1.0f), _mm512_set1_ps(1.0f));
  __m512bh steps = _mm512_cvtne2ps_pbh(_mm512_set1_ps(1.0f / 64), _mm512_set1_ps(1.0f / 64));
  asm volatile("" : "+v"(ones), "+v"(steps));
  for (uint64_t i = 0; i < iterations; ++i) {
#pragma GCC unroll 16
    for (int k = 0; k < kChains; ++k) acc[k] = _mm512_dpbf16_ps(acc[k], ones, steps);
  }
  bool ok = true;
  for (int k = 0; k < kChains; ++k) {
    const float want = static_cast<float>(k + static_cast<double>(iterations) / 32);
    ok = ok && _mm512_cmpeq_ps_mask(acc[k], _mm512_set1_ps(want)) == 0xffff;
  }
  return ok;
}

__attribute__((target("avx512vnni"))) bool dot_int8(uint64_t iterations) {
  __m512i acc[kChains];
  init_chains(acc, [](int k) { return _mm512_set1_epi32(k); });
  // Unsigned 1s times signed 1s: each instruction adds 4 to every int32 lane.
  __m512i ones_u8 = _mm512_set1_epi8(1), ones_s8 = _mm512_set1_epi8(1);
  asm volatile("" : "+v"(ones_u8), "+v"(ones_s8));
  for (uint64_t i = 0; i < iterations; ++i) {
#pragma GCC unroll 16
    for (int k = 0; k < kChains; ++k) acc[k] = _mm512_dpbusd_epi32(acc[k], ones_u8, ones_s8);
  }
  bool ok = true;
  for (int k = 0; k < kChains; ++k) {
    const __m512i want = _mm512_set1_epi32(static_cast<int>(k + 4 * iterations));
    ok = ok && _mm512_cmpeq_epi32_mask(acc[k], want) == 0xffff;
  }
  return ok;
}

constexpr PeakKernel kKernels[] = {
    {"fp64", "avx512", "vfmadd231pd zmm", 512, 64, 1, kChains * 8 * 2.0, fma_chains<Fp64>,
     "avx512f"},
    {"fp32", "avx512", "vfmadd231ps zmm", 512, 32, 1, kChains * 16 * 2.0, fma_chains<Fp32>,
     "avx512f"},
    {"bf16", "avx512", "vdpbf16ps zmm", 512, 32, 2, kChains * 32 * 2.0, dot_bf16,
     "avx512f,avx512bf16"},
    {"int8", "avx512", "vpdpbusd zmm", 512, 32, 4, kChains * 64 * 2.0, dot_int8,
     "avx512f,avx512vnni"},
};

}  // namespace

extern const PeakKernelTable kAvx512PeakKernels;
const PeakKernelTable kAvx512PeakKernels = {kKernels, std::size(kKernels)};

}  // namespace memwall::cpu
