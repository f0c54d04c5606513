// bench_gpu's host side, on machines without a GPU.
#include <gtest/gtest.h>

#include "bench_gpu/gpu_model.hpp"
#include "core/units.hpp"

using namespace memwall;
using namespace memwall::gpu;

TEST(GpuModel, BabelStreamByteCounting) {
  const uint64_t n = 1000;
  EXPECT_EQ(kernel_bytes(memory_kernel("read"), n, 4), 4 * n);
  EXPECT_EQ(kernel_bytes(memory_kernel("write"), n, 4), 4 * n);
  EXPECT_EQ(kernel_bytes(memory_kernel("copy"), n, 4), 8 * n);
  EXPECT_EQ(kernel_bytes(memory_kernel("triad"), n, 8), 24 * n);  // BabelStream: 3 arrays
  EXPECT_EQ(kernel_bytes(memory_kernel("dot"), n, 8), 16 * n);    // two arrays read
  EXPECT_THROW(memory_kernel("nstream2"), UsageError);
}

TEST(GpuModel, LaunchSweepAndChoice) {
  // An SM of 2048 threads holds 8 blocks of 256: 1, 2, 4, 8 blocks per SM, no second wave.
  const auto big = launch_configs(132, 2048, 1ull << 30, true);
  EXPECT_EQ(big.size(), 3u * 4 * 4);  // every width, blocks per SM, vectors per thread
  for (const auto& c : big) EXPECT_LE(c.blocks_per_sm * c.threads_per_block, 2048);
  EXPECT_EQ(launch_configs(80, 1536, 1ull << 30, true).size(), 3u * 3 * 4);  // 6 blocks fit
  const auto small = launch_configs(132, 2048, 64 << 10, false);
  EXPECT_LT(small.size(), launch_configs(132, 2048, 1ull << 30, false).size());
  for (int w : {4, 8, 16}) {  // every load width stays in the sweep, however small the set
    bool seen = false;
    for (const auto& c : small) seen = seen || c.vector_bytes == w;
    EXPECT_TRUE(seen) << w;
  }
  EXPECT_EQ(pick_best({1.0, 3.0, 2.0, 3.0}), 1u);
  EXPECT_EQ(describe(LaunchConfig{16, 4, 2, 256}),
            "128-bit loads, 4 blocks/SM x 256 threads, 2 vectors/thread/step");
}

TEST(GpuModel, PeakModelOfKnownSms) {
  // H100 SXM: 132 SMs x 128 fp32 lanes x 2 x 1980 MHz = 66.9 TFLOP/s; fp64 half of that.
  const SmModel h100 = sm_model(9, 0);
  ASSERT_TRUE(h100.known);
  EXPECT_NEAR(theoretical_gflops(132, h100.fp32_lanes, 1980), 66908, 1);
  EXPECT_NEAR(theoretical_gflops(132, h100.fp64_lanes, 1980), 33454, 1);
  // A100: 108 SMs x 64 x 2 x 1410 MHz = 19.5 TFLOP/s fp32 (its datasheet figure).
  EXPECT_NEAR(theoretical_gflops(108, sm_model(8, 0).fp32_lanes, 1410), 19492, 1);
  EXPECT_FALSE(sm_model(6, 1).known);
}

TEST(GpuModel, FormatsRoundTripAndGemmCheck) {
  const std::vector<float> values = {0, 1, -1, 0.5f, -0.875f, 0.125f, 3};
  for (const GemmTypeInfo& t : gemm_types()) {
    const auto encoded = encode(t.type, values, false);
    for (size_t i = 0; i < values.size(); ++i) {
      if (t.type == GemmType::int8 && values[i] != static_cast<int>(values[i])) continue;
      EXPECT_EQ(decode(t.type, encoded.data() + i * t.in_bytes, false), values[i])
          << t.name << " " << values[i];
    }
  }
  EXPECT_TRUE(gemm_supported(gemm_type("fp8"), 9, 0));
  EXPECT_FALSE(gemm_supported(gemm_type("fp8"), 8, 0));
  EXPECT_THROW(gemm_type("fp4"), UsageError);
  // A 3x2 by 2x2 product, then one entry wrong.
  const double A[3][2] = {{1, 2}, {3, 4}, {5, 6}}, B[2][2] = {{1, 0}, {1, 1}};
  double C[3][2] = {{3, 2}, {7, 4}, {11, 6}};
  auto a = [&](int64_t i, int64_t p) { return A[i][p]; };
  auto b = [&](int64_t p, int64_t j) { return B[p][j]; };
  auto c = [&](int64_t i, int64_t j) { return C[i][j]; };
  EXPECT_EQ(check_gemm_sample(a, b, c, 3, 2, 2, 1e-12, 32, 1), "");
  C[2][1] = 6.5;
  EXPECT_NE(check_gemm_sample(a, b, c, 3, 2, 2, 1e-12, 32, 1), "");
}

TEST(GpuModel, LoadedCurvePlanAtAnySmCount) {
  // H100 SXM: one SM chases, 131 generate; quick keeps all-read and 1:1 at 4 delays.
  for (int sms : {132, 114, 108, 78}) {
    const auto quick = gpu_curve_points(sms, true);
    ASSERT_EQ(quick.size(), 1u + 2 * 4) << sms;
    EXPECT_EQ(quick.front().mix, "idle");
    EXPECT_EQ(quick.front().generators, 0);
    for (size_t i = 1; i < quick.size(); ++i) EXPECT_EQ(quick[i].generators, sms - 1);
    const auto full = gpu_curve_points(sms, false);
    ASSERT_EQ(full.size(), 1u + gpu_curve_mixes().size() * 15) << sms;
    for (size_t i = 2; i < full.size(); ++i)  // from saturation to nearly idle within a mix
      if (full[i].mix == full[i - 1].mix) {
        EXPECT_GT(full[i].delay_ns, full[i - 1].delay_ns);
      }
  }
  EXPECT_TRUE(gpu_curve_points(1, false).empty());  // nothing to load it with
  EXPECT_EQ(gpu_curve_mix("2r1w").reads, 2);
  EXPECT_THROW(gpu_curve_mix("ntw"), UsageError);
  // H200: 50 MiB of L2 and 141 GB: the chase 32x the L2, each generator a page-rounded slice of
  // 64x the L2 together; a 16 GiB board keeps both within an eighth of its memory each.
  const GpuCurveBytes h200 = gpu_curve_bytes(50ull << 20, 141ull << 30, 131);
  EXPECT_EQ(h200.chase, 1600ull << 20);
  EXPECT_EQ(h200.per_generator % 4096, 0u);
  EXPECT_GE(h200.per_generator * 131, (64ull * 50 << 20) - 131 * 4096);
  const GpuCurveBytes small = gpu_curve_bytes(40ull << 20, 16ull << 30, 107);
  EXPECT_LE(small.chase, 2ull << 30);
  EXPECT_LE(small.per_generator * 107, 2ull << 30);
  EXPECT_EQ(gpu_curve_bytes(50ull << 20, 141ull << 30, 0).per_generator, 0u);
}

TEST(GpuModel, StepLayersFitTheMemoryAndQuickStreamsPastTheL2) {
  using memwall::find_model;
  using memwall::layer_ops;
  using memwall::Phase;
  auto plan = [](const char* model, uint64_t memory, bool quick) {
    const auto ops = layer_ops(find_model(model), 1, 1024, Phase::decode);
    const std::vector<memwall::MatmulOp> layer(ops.begin(), ops.end() - 1);
    return step_layers(layer, ops.back(), 2, 2, find_model(model).layers, 50ull << 20, memory,
                       quick);
  };
  // H200, half its 141 GB for a step: Llama-3-8B whole; Llama-2-70B (1.7 GB a layer in bf16)
  // as many layers as fit, their time scaled; quick: one layer already streams past 4x the L2.
  EXPECT_EQ(plan("llama-3-8b", 70ull << 30, false).run, 32);
  const StepLayers big = plan("llama-2-70b", 70ull << 30, false);
  EXPECT_GT(big.run, 30);
  EXPECT_LT(big.run, 80);
  EXPECT_EQ(plan("llama-2-70b", 70ull << 30, true).run, 1);
  EXPECT_GT(plan("gpt2", 70ull << 30, true).run, 1);  // 14 MB a layer: several past 200 MB
  // Llama-3.1-405B's one layer (6.4 GB) and head do not fit in a 4 GiB share: skipped, saying so.
  const StepLayers none = plan("llama-3.1-405b", 4ull << 30, false);
  EXPECT_EQ(none.run, 0);
  EXPECT_NE(none.why.find("one layer and the LM head take"), std::string::npos);
}
