// The machine profile (profile.json, schema 2): the merged context, the devices, each device's
// memory levels (bandwidth and latency) and peak compute per format, the memory-wall ratios
// and walls per device, every Transformer product placed on its device's roofline, and where
// the inputs came from. The harness only combines what the benchmarks measured.
// Schema 2 keys memory, compute and ratios by device (cpu, gpu0, ...); schema 1 files are
// still read by compare and history (their metrics have not changed).
#pragma once
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "harness/levels_report.hpp"
#include "harness/result_file.hpp"

namespace memwall::harness {

constexpr int kProfileSchema = 2;

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

struct ProfileInputs {
  std::vector<ResultFile> files;
  std::map<std::string, LevelReport> levels;  // per device
  std::string datasheet_csv;
  std::string dram;  // --dram "CHANNELSxMT/s[xBITS]": the DRAM configuration, where SMBIOS is mute
};

// Reads the files' levels for every device they measured.
ProfileInputs profile_inputs(std::vector<ResultFile> files, const std::string& datasheet_csv);

// A profile is built by sections, each one file that registers itself; they run in `order`
// (devices 10, memory 20, compute 30, ratios 40, transformer 50, datasheet 60, ...), so a new
// device or family adds a file and touches no other section.
using ProfileSection = std::function<void(const ProfileInputs&, nlohmann::json& profile)>;
bool add_profile_section(int order, const std::string& name, ProfileSection fn);

nlohmann::json build_profile(const ProfileInputs& inputs);

// Metrics from a profile written by build_profile, for compare and history.
std::vector<Metric> metrics_of_profile(const nlohmann::json& profile);
// A profile.json, or a bench JSON file turned into metrics; InputError otherwise.
std::vector<Metric> load_metrics(const std::string& path);

// The main counter of a benchmark (GFLOPps, busGBps, GBps, latency_ns), or nullptr.
const char* main_counter(const Measurement& m);

}  // namespace memwall::harness
