#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>

#include "core/units.hpp"
#include "harness/profile/segments.hpp"

using namespace memwall;
using namespace memwall::harness;

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

const std::vector<CacheInfo> kHwloc = {{1, 48 << 10, 2}, {2, 1 << 20, 2}, {3, 32 << 20, 1}};

TEST(Levels, NamedByTheCacheTheirEdgeMatches) {
  const auto levels = name_levels(find_plateaus(curve(kThreeLevels, 100, 0, 1)), kHwloc);
  ASSERT_EQ(levels.size(), 4u);
  const char* names[] = {"L1", "L2", "L3", "DRAM"};
  for (size_t i = 0; i < 4; ++i) EXPECT_EQ(levels[i].name, names[i]);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(levels[i].kind, LevelKind::cache);
    EXPECT_FALSE(levels[i].disagrees) << levels[i].name;
    EXPECT_EQ(levels[i].hwloc_bytes, kHwloc[i].size_bytes);
  }
  EXPECT_EQ(levels[3].kind, LevelKind::memory);
  EXPECT_EQ(levels[3].detected_bytes, 0u);
}

TEST(Levels, AnEdgeFarBelowHwlocIsFlaggedNotRenamed) {
  // hwloc claims a 128 MiB L3; the curve leaves L3 at 32 MiB: still L3, flagged.
  auto caches = kHwloc;
  caches[2].size_bytes = 128ull << 20;
  const auto levels = name_levels(find_plateaus(curve(kThreeLevels, 100, 0, 1)), caches);
  ASSERT_EQ(levels.size(), 4u);
  EXPECT_EQ(levels[2].name, "L3");
  EXPECT_TRUE(levels[2].disagrees);
  EXPECT_FALSE(levels[2].note.empty());
}

TEST(Levels, NeverMoreLevelsThanTheCachesPlusMemory) {
  // hwloc knows two caches, the curve shows three steps: the third is not invented as "L3".
  const auto levels = name_levels(find_plateaus(curve(kThreeLevels, 100, 0, 1)),
                                  {{1, 48 << 10, 2}, {2, 1 << 20, 2}});
  ASSERT_LE(levels.size(), 3u);
  for (const auto& l : levels) EXPECT_NE(l.name, "L3");
  EXPECT_EQ(levels.back().name, "DRAM");
}

TEST(Levels, AStepPastMemoryIsTranslationNotALevel) {
  // DRAM at 100 ns to 256 MiB, then 125 ns: the TLB reach of a guest, noted on DRAM.
  std::vector<CurvePoint> points;
  for (uint64_t bytes : size_sweep(4096, 1ull << 30, 4)) {
    double v = bytes <= (48 << 10) ? 1 : bytes <= (1 << 20) ? 3.3 : bytes <= (32 << 20) ? 10 : 100;
    if (bytes > (256 << 20)) v = 125;
    points.push_back({static_cast<double>(bytes), v});
  }
  const auto levels = name_levels(find_plateaus(points), kHwloc);
  ASSERT_EQ(levels.size(), 4u);
  EXPECT_EQ(levels[3].name, "DRAM");
  EXPECT_NEAR(levels[3].plateau.median, 100, 1e-9);
  EXPECT_NEAR(levels[3].translation_latency, 125, 1e-9);
  EXPECT_GT(levels[3].translation_bytes, 256 << 20);
  EXPECT_NE(levels[3].note.find("translation"), std::string::npos);
}

TEST(Levels, ACurveInsideL1IsL1) {
  std::vector<CurvePoint> points;
  for (uint64_t bytes : size_sweep(4096, 32768, 4)) points.push_back({double(bytes), 1.0});
  const auto levels = name_levels(find_plateaus(points), kHwloc);
  ASSERT_EQ(levels.size(), 1u);
  EXPECT_EQ(levels[0].name, "L1");
}

// Real curves of real machines (tests/fixtures/levels): the levels found are the machine's.
TEST(Levels, RealCurvesGiveTheRealHierarchy) {
  int files = 0;
  for (const auto& entry :
       std::filesystem::directory_iterator(std::string(MEMWALL_FIXTURES) + "/levels")) {
    std::ifstream in(entry.path());
    const auto fx = nlohmann::json::parse(in);
    std::vector<CacheInfo> caches;
    for (const auto& c : fx["hwloc_caches"])
      caches.push_back(
          {c["level"].get<int>(), c["size"].get<uint64_t>(), c["instances"].get<int>()});
    std::vector<CurvePoint> points;
    for (const auto& p : fx["latency_ns"])
      points.push_back({p[0].get<double>(), p[1].get<double>()});
    const auto levels = name_levels(find_plateaus(points), caches);
    std::vector<std::string> names;
    for (const auto& l : levels) names.push_back(l.name);
    EXPECT_EQ(names, fx["expect"].get<std::vector<std::string>>())
        << entry.path().filename() << ": " << fx["machine"];
    EXPECT_LE(levels.size(), caches.size() + 1);
    // Latency rises level by level.
    for (size_t i = 1; i < levels.size(); ++i)
      EXPECT_GT(levels[i].plateau.median, levels[i - 1].plateau.median * 1.15);
    // Edges within x2 of hwloc where the fixture says the machine shows its whole cache.
    if (fx.contains("edges_match_hwloc")) {
      for (const auto& l : levels) {
        if (l.kind == LevelKind::cache && l.detected_bytes > 0) {
          EXPECT_FALSE(l.disagrees) << entry.path().filename() << " " << l.name;
        }
      }
    }
    ++files;
  }
  EXPECT_GE(files, 1);
}

TEST(Levels, EmptyOrFlatCurves) {
  EXPECT_TRUE(find_plateaus({}).empty());
  std::vector<CurvePoint> flat;
  for (int i = 0; i < 10; ++i) flat.push_back({4096.0 * (1 << i), 5});
  EXPECT_EQ(find_plateaus(flat).size(), 1u);
}

TEST(Levels, ASlowSlideIntoDramIsNotALevel) {
  // L3 at 10 ns until 32 MiB, then a slow rise of about 60% per octave for two octaves, then
  // DRAM at 100 ns. The slide must not become a level.
  std::vector<CurvePoint> points;
  for (uint64_t bytes : size_sweep(4096, 1ull << 30, 4)) {
    double v = bytes <= (48 << 10) ? 1 : bytes <= (1 << 20) ? 3.3 : bytes <= (32 << 20) ? 10 : 100;
    if (bytes > (32 << 20) && bytes < (128 << 20))
      v = 10 * std::pow(1.6, std::log2(bytes / double(32 << 20)) * 2.4);
    points.push_back({static_cast<double>(bytes), v});
  }
  const auto plateaus = find_plateaus(points);
  ASSERT_EQ(plateaus.size(), 4u);
  EXPECT_NEAR(plateaus[2].median, 10, 1e-9);
  EXPECT_NEAR(plateaus[3].median, 100, 5);
}

TEST(Levels, FallingEdgeIsWhereOneThreadsReadsLeaveTheLevel) {
  // 96 GB/s in the cache up to 24 MiB, 20 GB/s from memory past it, one noisy dip at 8 MiB.
  std::vector<CurvePoint> read;
  for (uint64_t bytes : size_sweep(1 << 20, 256ull << 20, 4)) {
    double v = bytes <= (24ull << 20) ? 96 : 20;
    if (bytes == (8ull << 20)) v = 40;
    read.push_back({double(bytes), v});
  }
  const double edge = falling_edge(read, 1 << 20, 3 << 20, 128ull << 20, INFINITY);
  EXPECT_NEAR(edge, 24ull << 20, 2 << 20);
  // No drop between the two intervals: no edge.
  EXPECT_EQ(falling_edge(read, 1 << 20, 3 << 20, 2 << 20, 4 << 20), 0);
  // An interval without points: no edge.
  EXPECT_EQ(falling_edge(read, 1 << 10, 2 << 10, 128ull << 20, INFINITY), 0);
}

TEST(Levels, ALevelCutInTwoIsMendedNotTakenForMemory) {
  // A quick run's chase on a Zen 5 guest (lines touched, best latency): a noisy rise out of L2
  // made a short plateau of its own, the L3 (17 ns) was taken for memory and DRAM (138 ns)
  // for a translation step of x8.
  const std::vector<CurvePoint> points = {
      {1024, 1.19},       {1216, 1.21},        {1408, 1.21},       {1728, 1.22},
      {2048, 1.22},       {2432, 1.23},        {2880, 1.22},       {3392, 1.21},
      {4096, 1.23},       {4864, 1.23},        {5760, 1.21},       {6848, 1.22},
      {8192, 1.23},       {9728, 1.23},        {11584, 1.25},      {13760, 1.24},
      {16384, 1.25},      {19456, 1.25},       {23168, 1.25},      {27520, 1.27},
      {32768, 1.35},      {38912, 1.87},       {46336, 1.59},      {55104, 4.27},
      {65536, 4.31},      {77888, 4.35},       {92672, 4.44},      {110208, 4.40},
      {131072, 4.51},     {155840, 4.54},      {185344, 4.55},     {220416, 4.58},
      {262144, 4.72},     {311744, 4.53},      {370688, 4.78},     {440832, 4.87},
      {524288, 5.59},     {623488, 8.93},      {741440, 13.42},    {881728, 13.77},
      {1048576, 16.98},   {1246976, 16.75},    {1482880, 16.34},   {1763456, 28.89},
      {2097152, 17.12},   {2493952, 133.13},   {2965824, 130.10},  {3526976, 137.29},
      {4194304, 138.05},  {4987904, 136.96},   {5931648, 138.03},  {7053952, 138.29},
      {8388608, 138.80},  {9975744, 138.41},   {11863232, 138.37}, {14107904, 138.11},
      {16777216, 136.75}, {19951552, 138.01},  {23726528, 137.13}, {28215808, 140.85},
      {33554432, 138.82}, {39903168, 138.11},  {47453120, 160.93}, {56431552, 144.78},
      {67108864, 146.24}, {134217728, 156.90}, {268435456, 160.55}};
  const std::vector<CacheInfo> caches = {{1, 48 << 10, 2}, {2, 1 << 20, 2}, {3, 508ull << 20, 2}};
  ASSERT_EQ(name_levels(find_plateaus(points), caches).back().name, "DRAM");
  EXPECT_LT(name_levels(find_plateaus(points), caches).back().plateau.median, 20);  // the L3
  const auto levels = detect_levels(points, caches);
  ASSERT_EQ(levels.size(), 4u);
  EXPECT_EQ(levels[2].name, "L3");
  EXPECT_EQ(levels[3].name, "DRAM");
  EXPECT_GT(levels[3].plateau.median, 120);
}
