#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "core/levels.hpp"
#include "core/units.hpp"

using namespace memwall;

namespace {

struct Step {
  double edge_bytes;  // the level holds up to here
  double value;
};

// A latency-like curve: flat on each level, a smooth rise over the octave past each edge.
std::vector<CurvePoint> curve(const std::vector<Step>& steps, double dram, double noise,
                              unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> jitter(-noise, noise);
  std::vector<CurvePoint> points;
  for (uint64_t bytes : size_sweep(4096, 1ull << 30, 4)) {
    double value = dram;
    for (size_t i = 0; i < steps.size(); ++i) {
      if (bytes <= steps[i].edge_bytes) {
        value = steps[i].value;
        break;
      }
      const double next = i + 1 < steps.size() ? steps[i + 1].value : dram;
      if (bytes < 2 * steps[i].edge_bytes) {  // transition: log-linear over one octave
        const double t = std::log2(bytes / steps[i].edge_bytes);
        value = std::exp(std::log(steps[i].value) * (1 - t) + std::log(next) * t);
        break;
      }
    }
    points.push_back({static_cast<double>(bytes), value * (1 + jitter(rng))});
  }
  return points;
}

const std::vector<Step> kThreeLevels = {{48 << 10, 1.0}, {1 << 20, 3.3}, {32 << 20, 10.0}};

}  // namespace

TEST(Levels, CleanStepsGiveEachLevelAndItsEdge) {
  const auto plateaus = find_plateaus(curve(kThreeLevels, 100, 0, 1));
  ASSERT_EQ(plateaus.size(), 4u);
  EXPECT_NEAR(plateaus[0].median, 1.0, 1e-9);
  EXPECT_NEAR(plateaus[1].median, 3.3, 1e-9);
  EXPECT_NEAR(plateaus[2].median, 10.0, 1e-9);
  EXPECT_NEAR(plateaus[3].median, 100, 1e-9);
  // The edge is the last size on the plateau, within one step (a quarter octave) of the truth.
  EXPECT_LE(plateaus[0].last_bytes, 48 << 10);
  EXPECT_GE(plateaus[0].last_bytes, (48 << 10) / 1.19);
  EXPECT_LE(plateaus[2].last_bytes, 32 << 20);
  EXPECT_GE(plateaus[2].last_bytes, (32 << 20) / 1.19);
}

TEST(Levels, NoisyCurvesStillGiveFourLevels) {
  for (unsigned seed = 0; seed < 20; ++seed) {
    const auto plateaus = find_plateaus(curve(kThreeLevels, 100, 0.06, seed));
    ASSERT_EQ(plateaus.size(), 4u) << "seed " << seed;
    EXPECT_NEAR(plateaus[1].median, 3.3, 0.3);
  }
}

TEST(Levels, ALoneOutlierDoesNotSplitALevel) {
  auto points = curve(kThreeLevels, 100, 0, 3);
  points[6].value *= 3;  // one spike inside L1
  const auto plateaus = find_plateaus(points);
  ASSERT_EQ(plateaus.size(), 4u);
  EXPECT_EQ(plateaus[0].first_bytes, 4096);
}

TEST(Levels, DecreasingBandwidthCurveWorksToo) {
  auto points = curve({{96 << 10, 1000}, {2 << 20, 400}, {32 << 20, 230}}, 76, 0.05, 5);
  const auto plateaus = find_plateaus(points);
  ASSERT_EQ(plateaus.size(), 4u);
  EXPECT_NEAR(plateaus[3].median, 76, 8);
}

TEST(Levels, NamesAndFlagsDisagreementWithHwloc) {
  const auto plateaus = find_plateaus(curve(kThreeLevels, 100, 0, 1));
  // hwloc agrees on L1 and L2 but claims a 128 MiB L3.
  const auto levels = name_levels(plateaus, {48 << 10, 1 << 20, 128ull << 20});
  ASSERT_EQ(levels.size(), 4u);
  EXPECT_EQ(levels[0].name, "L1");
  EXPECT_EQ(levels[3].name, "DRAM");
  EXPECT_FALSE(levels[0].disagrees);
  EXPECT_FALSE(levels[1].disagrees);
  EXPECT_TRUE(levels[2].disagrees);
  EXPECT_FALSE(levels[3].disagrees);
  EXPECT_EQ(levels[3].detected_bytes, 0u);
}

TEST(Levels, MissingLevelIsFlagged) {
  const auto plateaus = find_plateaus(curve(kThreeLevels, 100, 0, 1));
  const auto levels = name_levels(plateaus, {48 << 10, 1 << 20});  // hwloc knows two levels
  EXPECT_TRUE(levels[2].disagrees);                                // an extra level in the curve
  EXPECT_TRUE(levels.back().disagrees);
}

TEST(Levels, EmptyOrFlatCurves) {
  EXPECT_TRUE(find_plateaus({}).empty());
  std::vector<CurvePoint> flat;
  for (int i = 0; i < 10; ++i) flat.push_back({4096.0 * (1 << i), 5});
  EXPECT_EQ(find_plateaus(flat).size(), 1u);
}

TEST(Levels, ASlowSlideIntoDramIsNotALevel) {
  // L3 at 230 until 32 MiB, then a slow slide of about 40% per octave for two octaves, then
  // DRAM. The slide must not become an "L4".
  std::vector<CurvePoint> points;
  for (uint64_t bytes : size_sweep(4096, 1ull << 30, 4)) {
    double v = bytes <= (1 << 20) ? 1000 : bytes <= (32 << 20) ? 230 : 76;
    if (bytes > (32 << 20) && bytes < (128 << 20))
      v = 230 * std::pow(0.7, std::log2(bytes / double(32 << 20)) * 1.6);
    points.push_back({static_cast<double>(bytes), v});
  }
  const auto plateaus = find_plateaus(points);
  ASSERT_EQ(plateaus.size(), 3u);
  EXPECT_NEAR(plateaus[1].median, 230, 1e-9);
  EXPECT_NEAR(plateaus[2].median, 76, 8);
}
