// The machine profile (profile.json, schema 1): the merged context, each memory level's
// bandwidth and latency, peak compute per format, the memory-wall ratios, every Transformer
// product placed on the roofline, and where the inputs came from. The harness only combines
// what the benchmarks measured; it never measures.
#pragma once
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "harness/levels_report.hpp"
#include "harness/result_file.hpp"

namespace memwall::harness {

constexpr int kProfileSchema = 1;

// One number a run can be compared on: a benchmark's main counter over its repetitions.
struct Metric {
  std::string name;     // the benchmark name
  std::string counter;  // GBps, latency_ns, GFLOPps, busGBps
  bool higher_is_better = true;
  std::vector<double> samples;
  double best() const;
  double median() const;
};

std::vector<Metric> metrics_of(const std::vector<ResultFile>& files);
// Two runs of the same benchmark merge by name (later files win); no duplicates.
std::vector<ResultFile> merge_by_name(std::vector<ResultFile> files);

nlohmann::json build_profile(const std::vector<ResultFile>& files, const LevelReport& levels,
                             const std::string& datasheet_csv);

// Metrics from a profile written by build_profile, for compare and history.
std::vector<Metric> metrics_of_profile(const nlohmann::json& profile);
// A profile.json, or a bench JSON file turned into metrics; InputError otherwise.
std::vector<Metric> load_metrics(const std::string& path);

}  // namespace memwall::harness
