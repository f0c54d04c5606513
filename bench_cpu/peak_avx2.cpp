#include <immintrin.h>

#include <cstring>

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

}  // namespace

std::vector<PeakKernel> avx2_peak_kernels() {
  return {
      {"fp64", "avx2", "vfmadd231pd ymm", 256, 64, 1, kChains * 4 * 2.0, fma_chains<Fp64>, "fma"},
      {"fp32", "avx2", "vfmadd231ps ymm", 256, 32, 1, kChains * 8 * 2.0, fma_chains<Fp32>, "fma"},
  };
}

}  // namespace memwall::cpu
