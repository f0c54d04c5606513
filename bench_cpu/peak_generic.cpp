// Portable C++ for CPUs without the vector kernels.
#include <iterator>

#include "bench_cpu/peak_kernels.hpp"

namespace memwall::cpu {

namespace {

constexpr int kChains = 16;

template <typename T>
bool mul_add(uint64_t iterations) {
  T acc[kChains];
  for (int k = 0; k < kChains; ++k) acc[k] = static_cast<T>(k);
  T one = 1, step = static_cast<T>(1.0 / 1024);
  asm volatile("" : "+m"(one), "+m"(step));
  for (uint64_t i = 0; i < iterations; ++i)
    for (int k = 0; k < kChains; ++k) acc[k] = acc[k] * one + step;
  bool ok = true;
  for (int k = 0; k < kChains; ++k)
    ok = ok && acc[k] == static_cast<T>(k + static_cast<double>(iterations) / 1024);
  return ok;
}

constexpr PeakKernel kKernels[] = {
    {"fp64", "generic", "scalar multiply-add", 64, 64, 1, kChains * 2.0, mul_add<double>, ""},
    {"fp32", "generic", "scalar multiply-add", 32, 32, 1, kChains * 2.0, mul_add<float>, ""},
};

}  // namespace

extern const PeakKernelTable kGenericPeakKernels;
const PeakKernelTable kGenericPeakKernels = {kKernels, std::size(kKernels)};

}  // namespace memwall::cpu
