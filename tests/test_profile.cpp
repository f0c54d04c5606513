#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "harness/compare.hpp"
#include "harness/gate.hpp"
#include "harness/history.hpp"
#include "harness/profile.hpp"
#include "harness/roofline.hpp"
#include "harness/sha256.hpp"

using namespace memwall::harness;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

std::string fixture(const std::string& name) {
  return std::string(MEMWALL_FIXTURES) + "/" + name;
}

json build_fixture() {
  return build_profile(profile_inputs({load_result_file(fixture("run_a/bench_cpu.json"))},
                                      std::string(MEMWALL_DATA) + "/datasheet_specs.csv"));
}

}  // namespace

TEST(Profile, FromTheFixtureRun) {
  const json p = build_fixture();
  EXPECT_EQ(p["schema"], 2);
  EXPECT_EQ(p["machine"]["memwall_binary"], "bench_cpu");
  EXPECT_EQ(p["devices"]["cpu"]["kind"], "cpu");
  const json& levels = memory_levels(p, "cpu");
  ASSERT_GE(levels.size(), 2u);
  EXPECT_EQ(levels.front()["name"], "L1");
  EXPECT_EQ(levels.back()["name"], "DRAM");
  EXPECT_GT(levels.front()["bandwidth_GBps"].get<double>(),
            levels.back()["bandwidth_GBps"].get<double>());
  EXPECT_GT(levels.back()["latency_ns"].get<double>(), levels.front()["latency_ns"].get<double>());
  EXPECT_EQ(levels.back()["bandwidth_kernel"], "triad");
  EXPECT_EQ(levels.front()["bandwidth_kernel"], "read");
  ASSERT_TRUE(p["compute"]["cpu"].contains("fp32"));
  EXPECT_GT(p["compute"]["cpu"]["fp32"]["peak_GFLOPps"].get<double>(), 0);
  EXPECT_EQ(p["provenance"]["inputs"].size(), 1u);
  EXPECT_EQ(p["provenance"]["inputs"][0]["sha256"], sha256_file(fixture("run_a/bench_cpu.json")));
  EXPECT_FALSE(p["metrics"].empty());
}

// Ridge points, roofs, bounds and the walls must rest on the same bandwidth per level: this
// fails if any of them took its bandwidth from anywhere else.
TEST(Profile, RidgeRoofBoundAndWallsUseOneBandwidthPerLevel) {
  const json p = build_fixture();
  const json& ridge = p["ratios"]["cpu"]["ridge_flop_per_byte"];
  ASSERT_FALSE(ridge.empty());
  for (const auto& [level, types] : ridge.items())
    for (const auto& [type, r] : types.items()) {
      const double bw = (*find_level(p, "cpu", level))["bandwidth_GBps"];
      EXPECT_DOUBLE_EQ(r.get<double>(),
                       p["compute"]["cpu"][type]["peak_GFLOPps"].get<double>() / bw);
    }
  const json& walls = p["ratios"]["cpu"]["walls"];
  EXPECT_DOUBLE_EQ(walls["memory_GBps"].get<double>(),
                   memory_levels(p, "cpu").back()["bandwidth_GBps"].get<double>());
  int placed = 0;
  for (const json& op : p["transformer"]["ops"]) {
    if (!op.contains("operands_fit_in")) continue;
    const std::string level = op["operands_fit_in"], type = op["type"];
    const json* l = find_level(p, "cpu", level);
    ASSERT_NE(l, nullptr) << level;
    const double bw = (*l)["bandwidth_GBps"], intensity = op["intensity_flop_per_byte"];
    EXPECT_DOUBLE_EQ(op["roof_bandwidth_GBps"].get<double>(), bw) << op["name"];
    EXPECT_DOUBLE_EQ(op["ridge_flop_per_byte"].get<double>(), ridge[level][type].get<double>());
    EXPECT_EQ(op["bound"], intensity < ridge[level][type].get<double>() ? "memory" : "compute");
    const double peak = p["compute"]["cpu"][type]["peak_GFLOPps"];
    EXPECT_DOUBLE_EQ(op["roofline_GFLOPps"].get<double>(), std::min(peak, intensity * bw));
    // No product above its roof unless the profile says why.
    if (op["percent_of_roofline"].get<double>() > 102) {
      EXPECT_TRUE(op.contains("above_roof_because")) << op["name"];
    }
    ++placed;
  }
  EXPECT_GT(placed, 0);
}

// Real runs of real machines (tests/fixtures/machines, recorded by
// scripts/record-machine-fixture): exactly the levels hwloc says the machine has, plus DRAM;
// each cache's edge within x2 of hwloc's size by the chase or, where the chase keeps less of the
// cache than a stream does, by one thread's reads; every product above its roof
// explained by a measured figure.
TEST(Profile, RealMachinesHaveTheirLevelsAndEveryRoofExcessExplained) {
  int machines = 0;
  for (const auto& entry : fs::directory_iterator(fixture("machines"))) {
    const std::string file = entry.path().filename();
    const json p = build_profile(profile_inputs(
        {load_result_file(entry.path())}, std::string(MEMWALL_DATA) + "/datasheet_specs.csv"));
    std::vector<std::string> names, expected;
    for (const auto& c : json::parse(p["machine"]["hwloc_caches"].get<std::string>()))
      expected.push_back("L" + std::to_string(c["level"].get<int>()));
    expected.push_back("DRAM");
    for (const json& l : memory_levels(p, "cpu")) {
      names.push_back(l["name"]);
      if (l["kind"] != "cache" || l["detected_bytes"].get<double>() == 0) continue;
      EXPECT_FALSE(l["size_disagrees"].get<bool>()) << file << " " << l["name"];
      const double hwloc = l["size_bytes"];
      const double edge = l["detected_bytes"].get<double>() >= hwloc / 2
                              ? l["detected_bytes"].get<double>()
                              : l.value("stream_edge_bytes", 0.0);
      EXPECT_GE(edge, hwloc / 2) << file << " " << l["name"];
      EXPECT_LE(edge, hwloc * 2) << file << " " << l["name"];
    }
    EXPECT_EQ(names, expected) << file;
    for (const json& op : p["transformer"]["ops"]) {
      if (op.value("percent_of_roofline", 0.0) <= 102) continue;
      const std::string why = op.value("above_roof_because", "");
      EXPECT_FALSE(why.empty()) << file << " " << op["name"];
      EXPECT_EQ(why.find("not explained"), std::string::npos) << file << ": " << why;
    }
    ++machines;
  }
  EXPECT_GE(machines, 1);
}

// The committed Zen 4 run: its two decode GEMVs beat the DRAM roof for the two reasons the
// profile knows, and it says which.
TEST(Profile, RoofExcessNamesItsMeasuredReason) {
  const json p =
      build_profile(profile_inputs({load_result_file(fixture("machines/amd-epyc-zen4-kvm.json"))},
                                   std::string(MEMWALL_DATA) + "/datasheet_specs.csv"));
  const json* dram = find_level(p, "cpu", "DRAM");
  ASSERT_NE(dram, nullptr);
  EXPECT_GT((*dram)["bandwidth_hw_GBps"].get<double>(), (*dram)["bandwidth_GBps"].get<double>());
  int above = 0;
  for (const json& op : p["transformer"]["ops"]) {
    if (op.value("percent_of_roofline", 0.0) <= 102) continue;
    ++above;
    const std::string why = op.value("above_roof_because", "");
    if (op["op"] == "qkv") {  // 192 MiB of weights: only reads, up to what triad moved
      EXPECT_NE(why.find("write-allocate"), std::string::npos) << why;
    }
    if (op["op"] == "out_proj") {  // 64 MiB: the read kernel is still fast at that size
      EXPECT_NE(why.find("faster level"), std::string::npos) << why;
    }
  }
  EXPECT_EQ(above, 2);
}

// A Zen 4 run whose triad caught a slow moment of the shared memory (37 GB/s, triad_nt 75 in
// the same run): decode GEMVs above that roof are explained by what triad_nt was given.
TEST(Profile, RoofExcessFromWhatTheNonTemporalKernelWasGiven) {
  const json p = build_profile(
      profile_inputs({load_result_file(fixture("machines/amd-epyc-zen4-kvm-avx2-kernels.json"))},
                     std::string(MEMWALL_DATA) + "/datasheet_specs.csv"));
  const json* dram = find_level(p, "cpu", "DRAM");
  ASSERT_NE(dram, nullptr);
  ASSERT_GT((*dram)["bandwidth_nt_GBps"].get<double>(), (*dram)["bandwidth_GBps"].get<double>());
  int from_nt = 0;
  for (const json& op : p["transformer"]["ops"]) {
    const std::string why = op.value("above_roof_because", "");
    if (why.find("to triad_nt in this run") == std::string::npos) continue;
    ++from_nt;
    EXPECT_LE(op["GBps"].get<double>(), 1.05 * (*dram)["bandwidth_nt_GBps"].get<double>())
        << op["name"];
  }
  EXPECT_GT(from_nt, 0);
}

// Where the PMU counted the lines read from memory (test data: the read kernel's own rate
// scaled, added to a real run), DRAM gives the counted figure beside the read kernel's and says
// when the two disagree.
TEST(Profile, DramComparesTheCountedReadsWithTheReadKernel) {
  for (const double counted_share : {0.97, 0.5}) {
    ResultFile f = load_result_file(fixture("machines/amd-epyc-zen4-kvm.json"));
    for (Measurement& m : f.measurements)
      if (m.family == "cpu.bw" && m.variant == "read") {
        std::vector<double> counted = m.counters.at("GBps");
        for (double& v : counted) v *= counted_share;
        m.counters["counted_read_GBps"] = counted;
      }
    const json p = build_profile(profile_inputs({f}, ""));
    const json* dram = find_level(p, "cpu", "DRAM");
    ASSERT_NE(dram, nullptr);
    const double read = (*dram)["read_GBps"], counted = (*dram)["counted_read_GBps"];
    EXPECT_NEAR(counted / read, counted_share, 0.02);
    const std::string note = (*dram)["note"];
    EXPECT_NE(note.find("the PMU counted"), std::string::npos) << note;
    EXPECT_EQ(note.find("disagree") != std::string::npos, counted_share < 0.8) << note;
  }
  const json plain = build_profile(
      profile_inputs({load_result_file(fixture("machines/amd-epyc-zen4-kvm.json"))}, ""));
  EXPECT_FALSE(find_level(plain, "cpu", "DRAM")->contains("counted_read_GBps"));
}

TEST(Profile, DecodeIsMemoryBoundAndCpuAndGpuProductsStayTwoRows) {
  ResultFile f = load_result_file(fixture("run_a/bench_cpu.json"));
  // The same product measured on a GPU (test data: the CPU's numbers renamed with a device
  // key): it must stay a separate row, placed on the GPU's roofline, not merged with the CPU's.
  std::vector<Measurement> gpu;
  for (const Measurement& m : f.measurements)
    if (m.family == "xfmr.gemv") {
      Measurement g = m;
      g.name += "/device:gpu0";
      g.keys["device"] = "gpu0";
      gpu.push_back(g);
    }
  ASSERT_FALSE(gpu.empty());
  f.measurements.insert(f.measurements.end(), gpu.begin(), gpu.end());
  const json p = build_profile(profile_inputs({f}, ""));
  int cpu_rows = 0, gpu_rows = 0;
  for (const json& op : p["transformer"]["ops"]) {
    cpu_rows += op["device"] == "cpu";
    gpu_rows += op["device"] == "gpu0";
    if (op["device"] == "cpu" && op["phase"] == "decode" && op["op"] == "ffn_up") {
      EXPECT_EQ(op["bound"], "memory");
    }
    if (op["device"] == "gpu0") {
      EXPECT_EQ(op["bound"], "unknown");  // no GPU roofline in this test data
    }
  }
  EXPECT_GT(cpu_rows, 0);
  EXPECT_EQ(gpu_rows, static_cast<int>(gpu.size()));
}

TEST(Profile, TwoRunsMergeByNameNotDuplicated) {
  const ResultFile a = load_result_file(fixture("run_a/bench_cpu.json"));
  ResultFile b = a;
  b.path = "second";
  for (Measurement& m : b.measurements)
    for (auto& [counter, samples] : m.counters)
      for (double& v : samples) v *= 2;
  const auto merged = merge_by_name({a, b});
  const auto metrics = metrics_of(merged);
  EXPECT_EQ(metrics.size(), metrics_of({a}).size());
  const Metric& first = metrics.front();  // the later file wins
  for (const Metric& m : metrics_of({a}))
    if (m.name == first.name) {
      EXPECT_DOUBLE_EQ(first.median(), 2 * m.median());
    }
}

TEST(Compare, MannWhitneyKnownValues) {
  EXPECT_NEAR(mann_whitney_p({1, 2, 3}, {4, 5, 6}), 0.1, 1e-12);
  EXPECT_NEAR(mann_whitney_p({1, 2, 3, 4, 5}, {6, 7, 8, 9, 10}), 2.0 / 252, 1e-12);
  EXPECT_NEAR(mann_whitney_p({1, 3, 5}, {2, 4, 6}), 0.7, 1e-12);
}

TEST(Compare, PlantedRegressionAndNoise) {
  const std::vector<Metric> base = {{"bw", "GBps", true, {100, 101, 99, 100.5, 99.5}},
                                    {"lat", "latency_ns", false, {10, 10.1, 9.9, 10, 10}},
                                    {"gone", "GBps", true, {1, 1, 1}}};
  std::vector<Metric> slower = {{"bw", "GBps", true, {90, 90.9, 89.1, 90.45, 89.55}},
                                {"lat", "latency_ns", false, {10.05, 9.95, 10, 10.1, 9.9}},
                                {"new", "GBps", true, {1, 1, 1}}};
  CompareResult r = compare_metrics(base, slower, 0.05);
  EXPECT_EQ(r.regressions, 1);
  EXPECT_EQ(r.rows[0].verdict, "regression");
  EXPECT_NEAR(r.rows[0].change, -0.1, 1e-9);
  EXPECT_EQ(r.rows[1].verdict, "same");
  EXPECT_EQ(r.only_in_base, std::vector<std::string>{"gone"});
  EXPECT_EQ(r.only_in_new, std::vector<std::string>{"new"});
  const std::vector<Metric> noisy_a = {{"bw", "GBps", true, {80, 100, 120}}};
  const std::vector<Metric> noisy_b = {{"bw", "GBps", true, {70, 90, 115}}};
  r = compare_metrics(noisy_a, noisy_b, 0.05);
  EXPECT_EQ(r.regressions, 0);
  EXPECT_EQ(r.rows[0].verdict, "noise");
  r = compare_metrics({{"lat", "latency_ns", false, {10, 10, 10}}},
                      {{"lat", "latency_ns", false, {12, 12, 12}}}, 0.05);
  EXPECT_EQ(r.rows[0].verdict, "regression");
}

TEST(History, RoundTrip) {
  const json profile_json = build_fixture();
  const fs::path dir = fs::path(testing::TempDir()) / "memwall_history";
  fs::remove_all(dir);
  fs::create_directories(dir);
  const fs::path profile = dir / "profile.json";
  std::ofstream(profile) << profile_json.dump(2);
  const std::string db = (dir / "h.sqlite").string();
  EXPECT_TRUE(history_add(db, profile.string()));
  EXPECT_FALSE(history_add(db, profile.string()));  // the same profile is not added twice
  const std::string shown = history_show(db);
  EXPECT_NE(shown.find("run 1"), std::string::npos);
  EXPECT_EQ(shown.find("run 2"), std::string::npos);
  const std::string metric = profile_json["metrics"][0]["name"];
  const std::string trend = history_trend(db, metric, (dir / "t.svg").string());
  EXPECT_NE(trend.find("best"), std::string::npos);
  EXPECT_TRUE(fs::exists(dir / "t.svg"));
  EXPECT_THROW(history_trend(db, "no/such/metric", ""), InputError);
  EXPECT_THROW(history_add(db, fixture("run_a/bench_cpu.json")), InputError);  // not a profile
  fs::remove_all(dir);
}

TEST(Sha256, KnownVectors) {
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_hex(std::string(1000, 'a')).size(), 64u);
}

namespace {
// A profile whose DRAM bandwidth and fp32 peak are the given values.
json tiny_profile(double dram, double peak, double latency) {
  json p;
  p["machine"] = {{"host_name", "h"}, {"cpu_model", "c"}};
  p["memory"]["cpu"] =
      json::array({{{"name", "DRAM"}, {"bandwidth_GBps", dram}, {"latency_ns", latency}}});
  p["compute"]["cpu"]["fp32"] = {{"peak_GFLOPps", peak}};
  p["metrics"] = json::array();
  return p;
}
}  // namespace

// Runs that drift by ~10% between them (as this shared machine's memory does) must not flag a
// new run from the same spread; a 40% drop must.
TEST(Gate, JudgesByTheSpreadBetweenRuns) {
  std::vector<json> baseline;
  const double drift[] = {1.00, 0.92, 1.07, 0.95, 1.10, 0.97};
  for (double d : drift)
    baseline.push_back(tiny_profile(40 * d, 230 * (1 + (d - 1) / 20), 140 / d));
  GateOptions o;
  for (double d : drift) {  // each run against the others: the A/A experiment in miniature
    std::vector<json> others;
    for (double e : drift)
      if (e != d) others.push_back(tiny_profile(40 * e, 230 * (1 + (e - 1) / 20), 140 / e));
    EXPECT_EQ(gate(tiny_profile(40 * d, 230, 140 / d), others, o).regressions, 0) << d;
  }
  const GateResult slow = gate(tiny_profile(24, 230, 200), baseline, o);
  EXPECT_EQ(slow.regressions, 2);  // bandwidth down 40%, latency up 43%; the peak held
  for (const GateRow& r : slow.rows)
    if (r.name == "compute/cpu/fp32/peak_GFLOPps") {
      EXPECT_EQ(r.verdict, "ok");
    }
  // Too few runs: every metric is new, none judged.
  o.min_runs = 10;
  EXPECT_EQ(gate(tiny_profile(24, 230, 200), baseline, o).checked, 0);
}
