#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "bench_cpu/matmul.hpp"
#include "bench_cpu/peak_kernels.hpp"
#include "core/buffer.hpp"
#include "core/peak.hpp"
#include "core/units.hpp"

using namespace memwall;
using namespace memwall::cpu;

TEST(TheoreticalPeak, KnownMicroarchitectures) {
  // Zen 5 (EPYC 9005): two 512-bit FMA pipes: 32 fp64 FLOP/cycle, 64 fp32.
  const FmaModel zen5 = fma_model("AuthenticAMD", 0x1a, 0x02, true);
  EXPECT_FALSE(zen5.assumed);
  EXPECT_DOUBLE_EQ(ops_per_cycle(zen5, 512, 64, 1), 32);
  EXPECT_DOUBLE_EQ(ops_per_cycle(zen5, 512, 32, 1), 64);
  EXPECT_DOUBLE_EQ(ops_per_cycle(zen5, 512, 32, 2), 128);  // bf16 pairs into fp32 lanes
  // Zen 4 runs AVX-512 on 256-bit pipes: the same 16 fp64 FLOP/cycle as AVX2.
  const FmaModel zen4 = fma_model("AuthenticAMD", 0x19, 0x11, true);
  EXPECT_DOUBLE_EQ(ops_per_cycle(zen4, 512, 64, 1), 16);
  EXPECT_DOUBLE_EQ(ops_per_cycle(zen4, 256, 64, 1), 16);
  // Zen 2: 2 x 256-bit; Zen 1: 2 x 128-bit.
  EXPECT_DOUBLE_EQ(ops_per_cycle(fma_model("AuthenticAMD", 0x17, 0x31, false), 256, 64, 1), 16);
  EXPECT_DOUBLE_EQ(ops_per_cycle(fma_model("AuthenticAMD", 0x17, 0x01, false), 256, 64, 1), 8);
  // Intel Haswell..Alder Lake cores without AVX-512: 2 x 256-bit.
  EXPECT_DOUBLE_EQ(ops_per_cycle(fma_model("GenuineIntel", 6, 0x3c, false), 256, 32, 1), 32);
  // Unknown vendors are marked as assumed.
  EXPECT_TRUE(fma_model("ARM", 0, 0, false).assumed);
}

TEST(PeakKernels, EverySupportedKernelGivesTheExactSum) {
  for (const char* type : {"fp64", "fp32", "bf16", "int8"}) {
    for (const auto& list : {avx512_peak_kernels(), avx2_peak_kernels(), generic_peak_kernels()}) {
      for (const PeakKernel& k : list) {
        if (std::string(k.type) != type || !peak_kernel_supported(k)) continue;
        EXPECT_TRUE(k.run(1000)) << k.isa << " " << k.type;
        EXPECT_GT(k.ops_per_iteration, 0);
      }
    }
  }
  EXPECT_NE(best_peak_kernel("fp64"), nullptr);
}

TEST(MatmulCheck, AcceptsTheBlasResultAndCatchesAWrongOne) {
  if (!have_blas()) GTEST_SKIP() << "built without a BLAS";
  const int64_t m = 64, n = 48, k = 300;
  Buffer a(m * k * 4, Pages::small4k), b(k * n * 4, Pages::small4k), c(m * n * 4, Pages::small4k);
  for (int64_t i = 0; i < m * k; ++i) a.as<float>()[i] = static_cast<float>((i % 17) - 8) / 8;
  for (int64_t i = 0; i < k * n; ++i) b.as<float>()[i] = static_cast<float>((i % 13) - 6) / 6;
  matmul(Number::fp32, a.data(), b.data(), c.data(), m, n, k);
  EXPECT_EQ(check_matmul_sample(Number::fp32, a.data(), b.data(), c.data(), m, n, k, 64, 1), "");
  // A wrong result: every entry off by a little more than rounding could explain.
  for (int64_t i = 0; i < m * n; ++i) c.as<float>()[i] *= 1.01f;
  c.as<float>()[0] += 1;
  EXPECT_NE(check_matmul_sample(Number::fp32, a.data(), b.data(), c.data(), m, n, k, 64, 1), "");
  // The gemv path (one row) is checked the same way.
  matmul(Number::fp32, a.data(), b.data(), c.data(), 1, n, k);
  EXPECT_EQ(check_matmul_sample(Number::fp32, a.data(), b.data(), c.data(), 1, n, k, 16, 2), "");
}

TEST(MatmulCheck, Bf16ThroughOneDnnIsChecked) {
  const auto formats = available_numbers();
  if (std::find(formats.begin(), formats.end(), "bf16") == formats.end())
    GTEST_SKIP() << "built without oneDNN";
  const int64_t m = 32, n = 40, k = 256;
  std::vector<uint16_t> a(m * k), b(k * n), c(m * n);
  for (int64_t i = 0; i < m * k; ++i) a[i] = to_bf16(static_cast<float>((i % 11) - 5) / 4);
  for (int64_t i = 0; i < k * n; ++i) b[i] = to_bf16(static_cast<float>((i % 7) - 3) / 2);
  for (bool pack : {false, true}) {
    for (int64_t rows : {m, int64_t{1}}) {
      matmul(Number::bf16, a.data(), b.data(), c.data(), rows, n, k, pack);
      EXPECT_EQ(check_matmul_sample(Number::bf16, a.data(), b.data(), c.data(), rows, n, k, 32, 3),
                "")
          << "pack " << pack << " rows " << rows;
    }
  }
  for (uint16_t& v : c) v = to_bf16(from_bf16(v) * 1.1f + 1);
  EXPECT_NE(check_matmul_sample(Number::bf16, a.data(), b.data(), c.data(), 1, n, k, 32, 3), "");
  EXPECT_EQ(from_bf16(to_bf16(1.5f)), 1.5f);
}

TEST(MatmulCheck, UnsupportedFormatsAreUsageErrors) {
  EXPECT_EQ(parse_number("fp32"), Number::fp32);
  EXPECT_THROW(parse_number("int8"), UsageError);
  EXPECT_THROW(parse_number("fp128"), UsageError);
}
