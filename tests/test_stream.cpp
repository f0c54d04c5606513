#include <gtest/gtest.h>

#include <cstring>

#include "bench_cpu/bandwidth.hpp"
#include "bench_cpu/isa.hpp"
#include "core/buffer.hpp"
#include "core/units.hpp"

using namespace memwall;
using namespace memwall::cpu;

namespace {
const StreamKernel& kernel(const std::string& name) {
  for (const StreamKernel& k : stream_kernels())
    if (name == k.name) return k;
  throw std::runtime_error("no kernel " + name);
}
}  // namespace

TEST(StreamBytes, CountedAsStreamDoes) {
  const uint64_t n = 1000;
  EXPECT_EQ(stream_bytes(kernel("read"), n), 8 * n);
  EXPECT_EQ(stream_bytes(kernel("write"), n), 8 * n);
  EXPECT_EQ(stream_bytes(kernel("copy"), n), 16 * n);
  EXPECT_EQ(stream_bytes(kernel("scale"), n), 16 * n);
  EXPECT_EQ(stream_bytes(kernel("add"), n), 24 * n);
  EXPECT_EQ(stream_bytes(kernel("triad"), n), 24 * n);
  EXPECT_EQ(stream_bytes(kernel("triad_nt"), n), 24 * n);
}

TEST(StreamBytes, WriteAllocateOnlyForPlainStores) {
  const uint64_t n = 1000;
  EXPECT_EQ(hw_bytes(kernel("read"), n), 8 * n);
  EXPECT_EQ(hw_bytes(kernel("write"), n), 16 * n);
  EXPECT_EQ(hw_bytes(kernel("copy"), n), 24 * n);
  EXPECT_EQ(hw_bytes(kernel("triad"), n), 32 * n);
  EXPECT_EQ(hw_bytes(kernel("write_nt"), n), 8 * n);
  EXPECT_EQ(hw_bytes(kernel("copy_nt"), n), 16 * n);
  EXPECT_EQ(hw_bytes(kernel("triad_nt"), n), 24 * n);
}

TEST(IsaDispatch, AutoPicksAnIsaTheCpuSupports) {
  const StreamKernelSet& set = select_isa("auto");
  EXPECT_TRUE(cpu_supports(set.isa));
  // auto is auto_isa's choice among the supported ones (the widest, or AVX2 on Zen 4).
  std::vector<std::string> runnable;
  for (const StreamKernelSet* s : compiled_isas())
    if (cpu_supports(s->isa)) runnable.push_back(s->isa);
  EXPECT_EQ(set.isa, auto_isa(cpu_id(), runnable));
}

TEST(IsaDispatch, UnknownIsaIsAUsageError) {
  EXPECT_THROW(select_isa("avx9000"), UsageError);
}

// Every compiled ISA the CPU can run computes every kernel exactly.
TEST(StreamKernels, EverySupportedIsaComputesEveryKernel) {
  const size_t n = 4 * kStreamGrain + kStreamGrain;  // not a multiple of the widest unroll
  for (const StreamKernelSet* set : compiled_isas()) {
    if (!cpu_supports(set->isa)) continue;
    Buffer xb(n * 8, Pages::small4k), yb(n * 8, Pages::small4k), ob(n * 8, Pages::small4k);
    double* x = xb.as<double>();
    double* y = yb.as<double>();
    double* out = ob.as<double>();
    for (size_t i = 0; i < n; ++i) {
      x[i] = static_cast<double>(i);
      y[i] = 2.0 * static_cast<double>(i) + 1;
    }
    for (const StreamKernel& k : stream_kernels()) {
      std::fill(out, out + n, -1.0);
      const double sum = set->fn[k.op](out, x, y, 3.0, n, 3);
      if (k.op == kRead) {
        EXPECT_DOUBLE_EQ(sum, 3.0 * (n - 1) * n / 2) << set->isa;
        continue;
      }
      for (size_t i = 0; i < n; ++i)
        ASSERT_DOUBLE_EQ(out[i], k.expect(x[i], y[i], 3.0))
            << set->isa << " " << k.name << " " << i;
    }
  }
}

// "auto" takes the widest vectors, except AVX-512 on a CPU that runs 512-bit operations as two
// 256-bit halves (Zen 4: family 0x19 with AVX-512), where AVX2 streams as fast or faster.
TEST(Stream, AutoIsaIsTheWidestExceptHalvedAvx512) {
  CpuId zen4;
  zen4.arch = "x86_64";
  zen4.vendor = "AuthenticAMD";
  zen4.family = 0x19;
  zen4.model = 0x11;
  zen4.features = {"avx2", "fma", "avx512f", "avx512bw", "avx512vl"};
  const std::vector<std::string> all = {"avx512", "avx2", "sse2", "generic"};
  EXPECT_EQ(cpu::auto_isa(zen4, all), "avx2");
  EXPECT_EQ(cpu::auto_isa(zen4, {"avx512", "generic"}), "avx512");  // no AVX2 kernels built
  CpuId zen5 = zen4;
  zen5.family = 0x1a;
  EXPECT_EQ(cpu::auto_isa(zen5, all), "avx512");
  CpuId zen3 = zen4;
  zen3.features = {"avx2", "fma"};
  EXPECT_EQ(cpu::auto_isa(zen3, {"avx2", "sse2", "generic"}), "avx2");
  CpuId spr = zen4;
  spr.vendor = "GenuineIntel";
  spr.family = 6;
  spr.model = 0x8f;
  EXPECT_EQ(cpu::auto_isa(spr, all), "avx512");
  EXPECT_EQ(cpu::auto_isa(spr, {}), "generic");
}
