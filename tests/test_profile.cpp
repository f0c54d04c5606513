#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "harness/compare.hpp"
#include "harness/csv.hpp"
#include "harness/history.hpp"
#include "harness/profile.hpp"
#include "harness/reports.hpp"
#include "harness/sha256.hpp"
#include "harness/svg_plot.hpp"

using namespace memwall::harness;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

std::string fixture(const std::string& name) {
  return std::string(MEMWALL_FIXTURES) + "/" + name;
}

struct Built {
  std::vector<ResultFile> files;
  LevelReport levels;
  json profile;
};

Built build_fixture() {
  Built b;
  b.files = {load_result_file(fixture("run_a/bench_cpu.json"))};
  b.levels = detect_levels(b.files);
  b.profile = build_profile(b.files, b.levels, std::string(MEMWALL_DATA) + "/datasheet_specs.csv");
  return b;
}

// Tags open and close in order; enough to catch a writer that emits broken SVG.
bool well_formed_xml(const std::string& text) {
  std::vector<std::string> open;
  size_t i = 0;
  while ((i = text.find('<', i)) != std::string::npos) {
    const size_t end = text.find('>', i);
    if (end == std::string::npos) return false;
    std::string tag = text.substr(i + 1, end - i - 1);
    i = end + 1;
    if (tag.empty() || tag[0] == '?' || tag[0] == '!') continue;
    if (tag.back() == '/') continue;
    const std::string name =
        tag.substr(tag[0] == '/', tag.find_first_of(" \t\n") - (tag[0] == '/'));
    if (tag[0] == '/') {
      if (open.empty() || open.back() != name) return false;
      open.pop_back();
    } else {
      open.push_back(name);
    }
  }
  return open.empty();
}

std::vector<std::vector<std::string>> read_csv(const std::string& text) {
  std::vector<std::vector<std::string>> rows;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) rows.push_back(split_csv_line(line));
  return rows;
}

}  // namespace

TEST(Profile, FromTheFixtureRun) {
  const Built b = build_fixture();
  const json& p = b.profile;
  EXPECT_EQ(p["schema"], 1);
  EXPECT_EQ(p["machine"]["memwall_binary"], "bench_cpu");
  ASSERT_TRUE(p["memory"].contains("DRAM"));
  ASSERT_TRUE(p["memory"].contains("L1"));
  EXPECT_GT(p["memory"]["L1"]["bandwidth_GBps"].get<double>(),
            p["memory"]["DRAM"]["bandwidth_GBps"].get<double>());
  EXPECT_GT(p["memory"]["DRAM"]["latency_ns"].get<double>(),
            p["memory"]["L1"]["latency_ns"].get<double>());
  ASSERT_TRUE(p["compute"]["cpu"].contains("fp32"));
  EXPECT_GT(p["compute"]["cpu"]["fp32"]["peak_GFLOPps"].get<double>(), 0);
  EXPECT_EQ(p["provenance"]["inputs"].size(), 1u);
  EXPECT_EQ(p["provenance"]["inputs"][0]["sha256"], sha256_file(fixture("run_a/bench_cpu.json")));
  EXPECT_FALSE(p["metrics"].empty());
}

TEST(Profile, RidgePointsArePeakOverBandwidth) {
  const json p = build_fixture().profile;
  for (const auto& [level, types] : p["ratios"]["ridge_flop_per_byte"].items())
    for (const auto& [type, ridge] : types.items()) {
      const double peak = p["compute"]["cpu"][type]["peak_GFLOPps"];
      const double bw = p["memory"][level]["bandwidth_GBps"];
      EXPECT_DOUBLE_EQ(ridge.get<double>(), peak / bw) << level << " " << type;
      EXPECT_DOUBLE_EQ(p["ratios"]["bytes_per_flop"][level][type].get<double>(), bw / peak);
    }
  const json& walls = p["ratios"]["walls"];
  EXPECT_DOUBLE_EQ(
      walls["flop_per_dram_byte"].get<double>(),
      walls["compute_GFLOPps_fp32"].get<double>() / walls["memory_GBps"].get<double>());
}

TEST(Profile, TransformerProductsArePlacedOnTheRoofline) {
  const json p = build_fixture().profile;
  const auto& ops = p["transformer"]["ops"];
  ASSERT_FALSE(ops.empty());
  const double ridge = p["ratios"]["ridge_flop_per_byte"]["DRAM"]["fp32"];
  int prefill = 0, decode = 0;
  for (const auto& op : ops) {
    const double intensity = op["intensity_flop_per_byte"];
    EXPECT_DOUBLE_EQ(intensity, op["flops"].get<double>() / op["bytes"].get<double>());
    EXPECT_EQ(op["bound"], intensity < ridge ? "memory" : "compute") << op["name"];
    prefill += op["phase"] == "prefill";
    decode += op["phase"] == "decode";
    if (op["phase"] == "decode" && op["op"] == "ffn_up") {
      EXPECT_EQ(op["bound"], "memory");
    }
  }
  EXPECT_GT(prefill, 0);
  EXPECT_GT(decode, 0);
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
  // The later file wins.
  const Metric& first = metrics.front();
  for (const Metric& m : metrics_of({a}))
    if (m.name == first.name) {
      EXPECT_DOUBLE_EQ(first.median(), 2 * m.median());
    }
}

TEST(Reports, EveryWriterProducesParseableOutput) {
  const Built b = build_fixture();
  const fs::path dir = fs::path(testing::TempDir()) / "memwall_reports";
  fs::remove_all(dir);
  fs::create_directories(dir);
  const auto written = write_reports(dir, b.files, b.levels, b.profile, {"a note"},
                                     std::string(MEMWALL_DATA) + "/datasheet_specs.csv");
  for (const char* name :
       {"profile.json", "summary.md", "metrics.csv", "profile.csv", "report.tex", "bandwidth.svg",
        "latency.svg", "roofline.svg", "trend.svg", "report.html"})
    EXPECT_TRUE(fs::exists(dir / name)) << name;
  auto slurp = [&](const char* name) {
    std::ifstream in(dir / name);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  };
  EXPECT_EQ(json::parse(slurp("profile.json")), b.profile);
  const auto rows = read_csv(slurp("metrics.csv"));
  ASSERT_GT(rows.size(), 1u);
  for (const auto& row : rows) EXPECT_EQ(row.size(), rows[0].size());
  EXPECT_EQ(rows.size() - 1, b.profile["metrics"].size());
  for (const auto& row : read_csv(slurp("profile.csv"))) EXPECT_EQ(row.size(), 5u);
  for (const char* svg : {"bandwidth.svg", "latency.svg", "roofline.svg", "trend.svg"})
    EXPECT_TRUE(well_formed_xml(slurp(svg))) << svg;
  EXPECT_NE(slurp("summary.md").find("a note"), std::string::npos);
  EXPECT_NE(slurp("report.tex").find("\\toprule"), std::string::npos);
  if (std::system("command -v pdflatex >/dev/null 2>&1") == 0) {
    std::ofstream(dir / "doc.tex") << "\\documentclass{article}\\usepackage{booktabs}\\begin{"
                                      "document}\\input{report.tex}\\end{document}\n";
    EXPECT_EQ(std::system(("cd " + dir.string() +
                           " && pdflatex -interaction=nonstopmode doc.tex >/dev/null")
                              .c_str()),
              0);
  }
  fs::remove_all(dir);
}

TEST(Reports, SvgWriterGolden) {
  Plot p;
  p.title = "t <1>";
  p.series.push_back({"s", {{1, 10}, {10, 100}}, true, true, {}});
  const std::string svg = render_svg(p);
  EXPECT_TRUE(well_formed_xml(svg));
  EXPECT_NE(svg.find("t &lt;1&gt;"), std::string::npos);
  EXPECT_NE(svg.find("<path d=\"M80,"), std::string::npos);
  EXPECT_EQ(svg, render_svg(p));  // deterministic
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
  // A 10% difference inside two noisy runs' overlapping spread is noise, not a regression.
  const std::vector<Metric> noisy_a = {{"bw", "GBps", true, {80, 100, 120}}};
  const std::vector<Metric> noisy_b = {{"bw", "GBps", true, {70, 90, 115}}};
  r = compare_metrics(noisy_a, noisy_b, 0.05);
  EXPECT_EQ(r.regressions, 0);
  EXPECT_EQ(r.rows[0].verdict, "noise");
  // Latency up is worse.
  r = compare_metrics({{"lat", "latency_ns", false, {10, 10, 10}}},
                      {{"lat", "latency_ns", false, {12, 12, 12}}}, 0.05);
  EXPECT_EQ(r.rows[0].verdict, "regression");
}

TEST(History, RoundTrip) {
  const Built b = build_fixture();
  const fs::path dir = fs::path(testing::TempDir()) / "memwall_history";
  fs::remove_all(dir);
  fs::create_directories(dir);
  const fs::path profile = dir / "profile.json";
  std::ofstream(profile) << b.profile.dump(2);
  const std::string db = (dir / "h.sqlite").string();
  EXPECT_TRUE(history_add(db, profile.string()));
  EXPECT_FALSE(history_add(db, profile.string()));  // the same profile is not added twice
  const std::string shown = history_show(db);
  EXPECT_NE(shown.find("run 1"), std::string::npos);
  EXPECT_EQ(shown.find("run 2"), std::string::npos);
  const std::string metric = b.profile["metrics"][0]["name"];
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
