#include <immintrin.h>

#include <cstring>
#include <iterator>

#include "bench_cpu/peak_kernels.hpp"

namespace memwall::cpu {

namespace {

constexpr int kChains = 12;  // 16 ymm registers: 12 chains and the two operands

template <typename V, typename Scalar, int kLanes>
bool all_lanes(V v, Scalar want) {
  alignas(32) Scalar lanes[kLanes];
  std::memcpy(lanes, &v, sizeof v);
  for (Scalar x : lanes)
    if (x != want) return false;
  return true;
}

struct Fp64 {
  using V = __m256d;
  using Scalar = double;
  static V set1(double v) { return _mm256_set1_pd(v); }
  static V fma(V a, V b, V c) { return _mm256_fmadd_pd(a, b, c); }
  static bool equal(V v, double want) { return all_lanes<V, double, 4>(v, want); }
  static void keep(V& v) { asm volatile("" : "+x"(v)); }
};

struct Fp32 {
  using V = __m256;
  using Scalar = float;
  static V set1(float v) { return _mm256_set1_ps(v); }
  static V fma(V a, V b, V c) { return _mm256_fmadd_ps(a, b, c); }
  static bool equal(V v, float want) { return all_lanes<V, float, 8>(v, want); }
  static void keep(V& v) { asm volatile("" : "+x"(v)); }
};

#include "bench_cpu/peak_fma.inl"

bool int32_lanes_are(__m256i v, int want) {
  return all_lanes<__m256i, int32_t, 8>(v, want);
}

// int8 without VNNI, as int8 inference runs on AVX2: unsigned x signed byte pairs summed into
// 16-bit lanes (vpmaddubsw), pairs of those into 32-bit lanes (vpmaddwd by 1), then added.
// Each chain has its own signed operand so the compiler cannot share the products.
constexpr int kInt8Chains = 6;
bool dot_int8_avx2(uint64_t iterations) {
  __m256i acc[kInt8Chains], b[kInt8Chains];
  for (int k = 0; k < kInt8Chains; ++k) {
    acc[k] = _mm256_set1_epi32(k);
    b[k] = _mm256_set1_epi8(1);
    asm volatile("" : "+x"(b[k]));
  }
  __m256i a = _mm256_set1_epi8(1), ones16 = _mm256_set1_epi16(1);
  asm volatile("" : "+x"(ones16));
  for (uint64_t i = 0; i < iterations; ++i) {
    asm volatile("" : "+x"(a));  // opaque each iteration: the products cannot be hoisted
#pragma GCC unroll 6
    for (int k = 0; k < kInt8Chains; ++k)
      acc[k] = _mm256_add_epi32(acc[k], _mm256_madd_epi16(_mm256_maddubs_epi16(a, b[k]), ones16));
  }
  bool ok = true;
  for (int k = 0; k < kInt8Chains; ++k)
    ok = ok && int32_lanes_are(acc[k], static_cast<int>(k + 4 * iterations));
  return ok;
}

// int8 with AVX-VNNI (Alder Lake and later, Zen 5): vpdpbusd on ymm.
__attribute__((target("avxvnni"))) bool dot_int8_avxvnni(uint64_t iterations) {
  __m256i acc[kChains];
  for (int k = 0; k < kChains; ++k) {
    acc[k] = _mm256_set1_epi32(k);
    asm volatile("" : "+x"(acc[k]));
  }
  __m256i ones_u8 = _mm256_set1_epi8(1), ones_s8 = _mm256_set1_epi8(1);
  asm volatile("" : "+x"(ones_u8), "+x"(ones_s8));
  for (uint64_t i = 0; i < iterations; ++i) {
#pragma GCC unroll 12
    for (int k = 0; k < kChains; ++k) acc[k] = _mm256_dpbusd_avx_epi32(acc[k], ones_u8, ones_s8);
  }
  bool ok = true;
  for (int k = 0; k < kChains; ++k)
    ok = ok && int32_lanes_are(acc[k], static_cast<int>(k + 4 * iterations));
  return ok;
}

// products = 0: vpmaddubsw is not an FMA-pipe instruction, so no theoretical peak is claimed.
constexpr PeakKernel kKernels[] = {
    {"fp64", "avx2", "vfmadd231pd ymm", 256, 64, 1, kChains * 4 * 2.0, fma_chains<Fp64>,
     "avx2,fma"},
    {"fp32", "avx2", "vfmadd231ps ymm", 256, 32, 1, kChains * 8 * 2.0, fma_chains<Fp32>,
     "avx2,fma"},
    {"int8", "avx2", "vpdpbusd ymm (AVX-VNNI)", 256, 32, 4, kChains * 32 * 2.0, dot_int8_avxvnni,
     "avx2,fma,avxvnni"},
    {"int8", "avx2", "vpmaddubsw+vpmaddwd ymm", 256, 32, 0, kInt8Chains * 32 * 2.0, dot_int8_avx2,
     "avx2,fma"},
};

}  // namespace

extern const PeakKernelTable kAvx2PeakKernels;
const PeakKernelTable kAvx2PeakKernels = {kKernels, std::size(kKernels)};

}  // namespace memwall::cpu
