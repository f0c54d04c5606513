#include <immintrin.h>

#include "bench_cpu/peak_kernels.hpp"

namespace memwall::cpu {

namespace {

constexpr int kChains = 12;  // 16 ymm registers: 12 chains and the two operands

bool fma_fp64(uint64_t iterations) {
  __m256d acc[kChains];
  for (int k = 0; k < kChains; ++k) {
    acc[k] = _mm256_set1_pd(k);
    asm volatile("" : "+x"(acc[k]));
  }
  __m256d one = _mm256_set1_pd(1.0), step = _mm256_set1_pd(1.0 / 1024);
  asm volatile("" : "+x"(one), "+x"(step));
  for (uint64_t i = 0; i < iterations; ++i) {
#pragma GCC unroll 12
    for (int k = 0; k < kChains; ++k) acc[k] = _mm256_fmadd_pd(one, step, acc[k]);
  }
  bool ok = true;
  for (int k = 0; k < kChains; ++k) {
    alignas(32) double lanes[4];
    _mm256_store_pd(lanes, acc[k]);
    for (double v : lanes) ok = ok && v == k + static_cast<double>(iterations) / 1024;
  }
  return ok;
}

bool fma_fp32(uint64_t iterations) {
  __m256 acc[kChains];
  for (int k = 0; k < kChains; ++k) {
    acc[k] = _mm256_set1_ps(static_cast<float>(k));
    asm volatile("" : "+x"(acc[k]));
  }
  __m256 one = _mm256_set1_ps(1.0f), step = _mm256_set1_ps(1.0f / 1024);
  asm volatile("" : "+x"(one), "+x"(step));
  for (uint64_t i = 0; i < iterations; ++i) {
#pragma GCC unroll 12
    for (int k = 0; k < kChains; ++k) acc[k] = _mm256_fmadd_ps(one, step, acc[k]);
  }
  bool ok = true;
  for (int k = 0; k < kChains; ++k) {
    alignas(32) float lanes[8];
    _mm256_store_ps(lanes, acc[k]);
    for (float v : lanes)
      ok = ok && v == static_cast<float>(k + static_cast<double>(iterations) / 1024);
  }
  return ok;
}

}  // namespace

std::vector<PeakKernel> avx2_peak_kernels() {
  return {
      {"fp64", "avx2", "vfmadd231pd ymm", 256, 64, 1, kChains * 4 * 2.0, fma_fp64, "fma"},
      {"fp32", "avx2", "vfmadd231ps ymm", 256, 32, 1, kChains * 8 * 2.0, fma_fp32, "fma"},
  };
}

}  // namespace memwall::cpu
