#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "bench_cpu/matmul.hpp"
#include "bench_cpu/peak_kernels.hpp"
#include "bench_cpu/streamed_product.hpp"
#include "core/buffer.hpp"
#include "core/cpu_id.hpp"
#include "core/peak.hpp"
#include "core/units.hpp"

using namespace memwall;
using namespace memwall::cpu;

namespace {
CpuId x86(const char* vendor, int family, int model, const char* brand,
          std::vector<std::string> features = {"avx", "avx2", "fma"}) {
  CpuId c;
  c.arch = "x86_64";
  c.vendor = vendor;
  c.family = family;
  c.model = model;
  c.brand = brand;
  c.features = std::move(features);
  return c;
}
CpuId arm(int implementer, int part) {
  CpuId c;
  c.arch = "aarch64";
  c.vendor = implementer == 0x41 ? "ARM" : "other";
  c.implementer = implementer;
  c.part = part;
  c.features = {"neon"};
  return c;
}
const std::vector<std::string> kAvx512 = {"avx", "avx2", "fma", "avx512f", "avx512bw", "avx512vl"};
// fp64 FLOP per cycle per core for AVX2 (256-bit) and AVX-512 (512-bit) FMAs.
double fp64_256(const FmaModel& m) {
  return ops_per_cycle(m, 256, 64, 1);
}
double fp64_512(const FmaModel& m) {
  return ops_per_cycle(m, 512, 64, 1);
}
}  // namespace

// Real CPUs by the signature and brand string they report, against their published FMA pipes.
TEST(TheoreticalPeak, PublishedFmaPipesByCpuModel) {
  // AMD: Zen 2 and 3 two 256-bit pipes; Zen 4 runs AVX-512 on them; Zen 5 has two 512-bit
  // pipes except in the mobile parts.
  EXPECT_EQ(fp64_256(fma_model(x86("AuthenticAMD", 0x17, 0x31, "AMD EPYC 7742 64-Core"))), 16);
  EXPECT_EQ(fp64_256(fma_model(x86("AuthenticAMD", 0x17, 0x01, "AMD EPYC 7601 32-Core"))), 8);
  EXPECT_EQ(fp64_256(fma_model(x86("AuthenticAMD", 0x19, 0x01, "AMD EPYC 7763 64-Core"))), 16);
  const FmaModel genoa = fma_model(x86("AuthenticAMD", 0x19, 0x11, "AMD EPYC 9654", kAvx512));
  EXPECT_EQ(genoa.uarch, "AMD Zen 4");
  EXPECT_EQ(fp64_512(genoa), 16);
  const FmaModel turin = fma_model(x86("AuthenticAMD", 0x1a, 0x02, "AMD EPYC 9755", kAvx512));
  EXPECT_EQ(fp64_512(turin), 32);
  EXPECT_EQ(ops_per_cycle(turin, 512, 32, 2), 128);  // bf16 pairs into fp32 lanes
  const FmaModel ryzen9950 =
      fma_model(x86("AuthenticAMD", 0x1a, 0x44, "AMD Ryzen 9 9950X 16-Core", kAvx512));
  EXPECT_EQ(fp64_512(ryzen9950), 32) << "Zen 5 desktop has full 512-bit pipes";
  const FmaModel strix =
      fma_model(x86("AuthenticAMD", 0x1a, 0x24, "AMD Ryzen AI 9 HX 370", kAvx512));
  EXPECT_EQ(fp64_512(strix), 16) << "Zen 5 mobile keeps 256-bit pipes";
  // Intel Xeon Scalable 1st/2nd gen: one 512-bit FMA unit on Bronze, Silver and Gold 5xxx.
  EXPECT_EQ(fp64_512(fma_model(
                x86("GenuineIntel", 6, 0x55, "Intel(R) Xeon(R) Gold 6248 CPU @ 2.50GHz", kAvx512))),
            32);
  EXPECT_EQ(fp64_512(fma_model(x86("GenuineIntel", 6, 0x55,
                                   "Intel(R) Xeon(R) Platinum 8280 CPU @ 2.70GHz", kAvx512))),
            32);
  const FmaModel silver = fma_model(
      x86("GenuineIntel", 6, 0x55, "Intel(R) Xeon(R) Silver 4214 CPU @ 2.20GHz", kAvx512));
  EXPECT_EQ(fp64_512(silver), 16);
  EXPECT_EQ(fp64_256(silver), 16);
  EXPECT_EQ(fp64_512(fma_model(
                x86("GenuineIntel", 6, 0x55, "Intel(R) Xeon(R) Gold 5218 CPU @ 2.30GHz", kAvx512))),
            16);
  EXPECT_EQ(fp64_512(fma_model(
                x86("GenuineIntel", 6, 0x55, "Intel(R) Xeon(R) Gold 5122 CPU @ 3.60GHz", kAvx512))),
            32);
  EXPECT_EQ(fp64_512(fma_model(x86("GenuineIntel", 6, 0x55,
                                   "Intel(R) Xeon(R) Bronze 3106 CPU @ 1.70GHz", kAvx512))),
            16);
  EXPECT_EQ(fp64_512(fma_model(x86("GenuineIntel", 6, 0x6a,
                                   "Intel(R) Xeon(R) Platinum 8380 CPU @ 2.30GHz", kAvx512))),
            32);
  EXPECT_EQ(
      fp64_512(fma_model(x86("GenuineIntel", 6, 0x8f, "Intel(R) Xeon(R) Platinum 8480+", kAvx512))),
      32);
  // Intel client: Haswell..Comet Lake 2x256; Ice/Tiger Lake fuse them for AVX-512.
  EXPECT_EQ(fp64_256(fma_model(x86("GenuineIntel", 6, 0x3c, "Intel(R) Core(TM) i7-4770"))), 16);
  const FmaModel tiger =
      fma_model(x86("GenuineIntel", 6, 0x8c, "11th Gen Intel(R) Core(TM) i7-1185G7", kAvx512));
  EXPECT_EQ(fp64_512(tiger), 16);
  EXPECT_EQ(fp64_256(tiger), 16);
  // Hybrid: P-cores 2x256, Gracemont E-cores 2x128.
  const CpuId alder = x86("GenuineIntel", 6, 0x97, "12th Gen Intel(R) Core(TM) i9-12900K");
  EXPECT_EQ(fp64_256(fma_model(alder, "performance")), 16);
  EXPECT_EQ(fp64_256(fma_model(alder, "efficiency")), 8);
  // Arm: Neoverse N1 (Graviton2) 2x128, V1 (Graviton3) and V2 (Grace) 4x128.
  EXPECT_EQ(ops_per_cycle(fma_model(arm(0x41, 0xd0c)), 128, 64, 1), 8);
  EXPECT_EQ(ops_per_cycle(fma_model(arm(0x41, 0xd40)), 128, 64, 1), 16);
  const FmaModel grace = fma_model(arm(0x41, 0xd4f));
  EXPECT_EQ(ops_per_cycle(grace, 128, 64, 1), 16);
  EXPECT_NE(grace.uarch.find("Grace"), std::string::npos);
  for (const FmaModel& m : {genoa, turin, silver, tiger, grace}) EXPECT_EQ(m.source, "table");
}

TEST(TheoreticalPeak, UnknownCpusAreAssumedAndOverridesWin) {
  EXPECT_EQ(fma_model(arm(0xc0, 0xac3)).source, "assumed");
  EXPECT_EQ(fma_model(x86("GenuineIntel", 6, 0x01, "Intel future", kAvx512)).source, "assumed");
  EXPECT_EQ(fma_model(x86("GenuineIntel", 6, 0x55, "Intel(R) Xeon(R) CPU", kAvx512)).source,
            "assumed");
  set_fma_override(1, 128);
  const FmaModel m = detect_fma_model();
  EXPECT_EQ(m.source, "override");
  EXPECT_EQ(ops_per_cycle(m, 512, 64, 1), 4);
  set_fma_override(0, 0);
  EXPECT_NE(detect_fma_model().source, "override");
}

TEST(CpuIdentity, DecodesTheX86Signature) {
  int family = 0, model = 0, stepping = 0;
  decode_x86_signature(0x00a10f11, family, model, stepping);  // AMD EPYC 9654 (Genoa)
  EXPECT_EQ(family, 0x19);
  EXPECT_EQ(model, 0x11);
  EXPECT_EQ(stepping, 1);
  decode_x86_signature(0x00050657, family, model, stepping);  // Xeon Gold 6248 (Cascade Lake)
  EXPECT_EQ(family, 6);
  EXPECT_EQ(model, 0x55);
  EXPECT_EQ(stepping, 7);
  EXPECT_FALSE(cpu_id().arch.empty());
  EXPECT_FALSE(cpu_id().signature().empty());
}

TEST(PeakKernels, EverySupportedKernelGivesTheExactSum) {
  int ran = 0;
  for (const PeakKernel& k : compiled_peak_kernels()) {
    if (!peak_kernel_supported(k)) {
      EXPECT_FALSE(missing_features(k).empty()) << k.isa << " " << k.type;
      continue;
    }
    EXPECT_TRUE(k.run(1000)) << k.isa << " " << k.type << " " << k.instruction;
    EXPECT_GT(k.ops_per_iteration, 0);
    ++ran;
  }
  EXPECT_GT(ran, 0);
  EXPECT_NE(best_peak_kernel("fp64"), nullptr);
  EXPECT_NE(best_peak_kernel("fp32"), nullptr);
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
  if (std::string why; !number_supported(Number::bf16, why)) GTEST_SKIP() << why;
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

// Decode's kernels: every product of every group right, at shapes that leave tails (columns
// not a multiple of 16, rows not of 4), with whole KV heads per core (many) and each head split
// over its share of the cores (one, or fewer heads than a many-core machine has cores), B stored
// either way (K one row per position, V one row per head_dim element), more rows than one pass
// takes, and weights (one product, stored one row per output) at 1 to 8 rows, in both formats they
// take; and gpt2's scores (head_dim 64: one block a dot product, four outputs reduced together).
TEST(StreamedProducts, EveryHeadOfEveryGroupIsRight) {
  struct Case {
    int64_t m, n, k, count, group;
    int threads = 0;  // what the split is made for (0: this machine's cores)
  };
  for (Number t : {Number::fp32, Number::bf16}) {
    const int e = element_bytes(t);
    for (const auto& [x, by_output] : {std::pair{Case{1, 1000, 130, 32, 4}, false},
                                       {Case{1, 1000, 130, 32, 4}, true},
                                       {Case{2, 37, 2051, 8, 8}, false},
                                       {Case{2, 37, 2051, 8, 8}, true},
                                       {Case{2, 64, 4096, 1, 1}, true},
                                       {Case{1, 17, 3, 3, 1}, false},
                                       {Case{1, 17, 3, 3, 1}, true},
                                       {Case{1, 300, 130, 6, 2, 8}, false},
                                       {Case{1, 300, 130, 6, 2, 8}, true},
                                       {Case{1, 40, 5000, 3, 1, 96}, false},
                                       {Case{1, 1024, 64, 12, 1}, true}}) {
      ASSERT_TRUE(streamed(t, x.m, std::max<int64_t>(x.count, 2), x.group));
      const int64_t mats = x.count / x.group;
      std::vector<char> a(x.count * x.m * x.k * e), b(mats * x.k * x.n * e),
          c(x.count * x.m * x.n * e);
      auto put = [t](std::vector<char>& v, int64_t i, float f) {
        if (t == Number::fp32)
          reinterpret_cast<float*>(v.data())[i] = f;
        else
          reinterpret_cast<uint16_t*>(v.data())[i] = to_bf16(f);
      };
      for (int64_t i = 0; i < x.count * x.m * x.k; ++i)
        put(a, i, static_cast<float>(i % 9 - 4) / 4);
      // Values with no period a stride of the other layout could share.
      for (int64_t i = 0; i < mats * x.k * x.n; ++i)
        put(b, i, static_cast<float>((i * 2654435761u >> 9) % 7) / 3 - 1);
      streamed_products(t, a.data(), b.data(), c.data(), x.m, x.n, x.k, x.count, x.group, by_output,
                        x.threads);
      for (int64_t p = 0; p < x.count; ++p)
        EXPECT_EQ(check_matmul_sample(t, a.data() + p * x.m * x.k * e,
                                      b.data() + (p / x.group) * x.k * x.n * e,
                                      c.data() + p * x.m * x.n * e, x.m, x.n, x.k, 16,
                                      static_cast<uint64_t>(p), by_output),
                  "")
            << to_string(t) << " n " << x.n << " k " << x.k << " product " << p << " by output "
            << by_output;
    }
  }
  EXPECT_FALSE(streamed(Number::fp64, 1, 32, 4));
  EXPECT_FALSE(streamed(Number::bf16, 512, 32, 4));  // prefill: the library's GEMM
  EXPECT_FALSE(streamed(Number::bf16, 16, 1, 1));    // a weight at batch 16: the library
}

TEST(MatmulCheck, UnsupportedFormatsAreUsageErrors) {
  const auto formats = available_numbers();
  if (std::find(formats.begin(), formats.end(), "fp32") != formats.end())
    EXPECT_EQ(parse_number("fp32"), Number::fp32);
  else
    EXPECT_THROW(parse_number("fp32"), UsageError);  // built without OpenBLAS
  EXPECT_THROW(parse_number("int8"), UsageError);
  EXPECT_THROW(parse_number("fp128"), UsageError);
}
