#include "harness/profile.hpp"

#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "core/stats.hpp"
#include "harness/sha256.hpp"

namespace memwall::harness {

using nlohmann::json;

double Metric::best() const {
  const Summary s = summarize(samples);
  return higher_is_better ? s.max : s.min;
}
double Metric::median() const {
  return summarize(samples).median;
}

namespace {
std::multimap<int, std::pair<std::string, ProfileSection>>& sections() {
  static std::multimap<int, std::pair<std::string, ProfileSection>> all;
  return all;
}
}  // namespace

bool add_profile_section(int order, const std::string& name, ProfileSection fn) {
  sections().emplace(order, std::make_pair(name, std::move(fn)));
  return true;
}

const char* main_counter(const Measurement& m) {
  for (const char* c : {"GFLOPps", "busGBps", "GBps", "latency_ns"})
    if (m.has(c)) return c;
  return nullptr;
}

std::vector<ResultFile> merge_by_name(std::vector<ResultFile> files) {
  std::set<std::string> seen;
  // Walk from the last file back so the newest measurement of a name is the one kept.
  for (auto f = files.rbegin(); f != files.rend(); ++f) {
    std::vector<Measurement> kept;
    for (Measurement& m : f->measurements)
      if (seen.insert(m.name).second) kept.push_back(std::move(m));
    f->measurements = std::move(kept);
  }
  return files;
}

std::vector<Metric> metrics_of(const std::vector<ResultFile>& files) {
  std::vector<Metric> out;
  for (const ResultFile& f : files)
    for (const Measurement& m : f.measurements) {
      const char* c = main_counter(m);
      if (!c || !m.error.empty()) continue;
      out.push_back({m.name, c, std::string(c) != "latency_ns", m.counters.at(c)});
    }
  return out;
}

ProfileInputs profile_inputs(std::vector<ResultFile> files, const std::string& datasheet_csv) {
  ProfileInputs in;
  in.files = std::move(files);
  in.datasheet_csv = datasheet_csv;
  bool cpu = false;
  std::set<std::string> gpus;
  for (const ResultFile& f : in.files)
    for (const Measurement& m : f.measurements) {
      cpu = cpu || m.family.rfind("cpu.", 0) == 0;
      if (m.family.rfind("gpu.", 0) == 0 && m.error.empty()) gpus.insert(device_of(m));
    }
  if (cpu) in.levels["cpu"] = detect_levels(in.files);
  for (const std::string& gpu : gpus) in.levels[gpu] = detect_levels(in.files, gpu_curve_spec(gpu));
  return in;
}

json build_profile(const ProfileInputs& inputs) {
  json profile;
  profile["schema"] = kProfileSchema;
  // machine: every context key; where files disagree the first file's value is kept.
  json machine = json::object();
  for (const ResultFile& f : inputs.files)
    for (const auto& [key, value] : f.context.items())
      if (!machine.contains(key)) machine[key] = value;
  profile["machine"] = machine;
  for (const char* key : {"devices", "memory", "compute", "ratios"}) profile[key] = json::object();
  profile["transformer"] = {{"ops", json::array()}, {"steps", json::array()}};
  profile["datasheet"] = json::array();
  for (const auto& [order, section] : sections()) section.second(inputs, profile);

  // metrics: every benchmark's main counter with its repetitions, for compare and history.
  json metrics = json::array();
  for (const Metric& m : metrics_of(inputs.files))
    metrics.push_back({{"name", m.name},
                       {"counter", m.counter},
                       {"higher_is_better", m.higher_is_better},
                       {"samples", m.samples},
                       {"best", m.best()},
                       {"median", m.median()}});
  profile["metrics"] = metrics;

  json provenance = {{"inputs", json::array()},
                     {"failed", json::array()},
                     {"skipped", json::array()},
                     {"run_notes", json::array()}};
  for (const ResultFile& f : inputs.files) {
    provenance["inputs"].push_back({{"path", f.path},
                                    {"sha256", sha256_file(f.path)},
                                    {"binary", f.context.value("memwall_binary", "")},
                                    {"date", f.context.value("date", "")}});
    for (const Measurement& m : f.measurements) {
      if (m.error.empty()) continue;
      const bool skipped = m.error.rfind("skipped", 0) == 0 || m.error == "interrupted";
      provenance[skipped ? "skipped" : "failed"].push_back({{"name", m.name}, {"why", m.error}});
    }
  }
  for (const auto& [device, levels] : inputs.levels)
    for (const std::string& w : levels.warnings)
      provenance["warnings"].push_back(device + ": " + w);
  profile["provenance"] = provenance;
  return profile;
}

std::vector<Metric> metrics_of_profile(const json& profile) {
  std::vector<Metric> out;
  for (const json& m : profile.at("metrics"))
    out.push_back({m.at("name"), m.at("counter"), m.at("higher_is_better"),
                   m.at("samples").get<std::vector<double>>()});
  return out;
}

std::vector<Metric> load_metrics(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw InputError(path + ": cannot read the file");
  json doc;
  try {
    std::stringstream text;
    text << in.rdbuf();
    doc = json::parse(null_non_finite(text.str()));
  } catch (const json::parse_error&) {
    throw InputError(path + ": not a complete JSON file (truncated or not JSON)");
  }
  if (doc.is_object() && doc.contains("schema") && doc.contains("metrics")) {
    if (!doc["schema"].is_number_integer() || doc["schema"].get<int>() > kProfileSchema)
      throw InputError(path + ": profile schema " + doc["schema"].dump() +
                       " is newer than this memwall (" + std::to_string(kProfileSchema) + ")");
    try {
      return metrics_of_profile(doc);
    } catch (const json::exception& e) {
      throw InputError(path + ": a damaged profile: " + e.what());
    }
  }
  return metrics_of({load_result_file(path)});
}

}  // namespace memwall::harness
