#include "harness/profile.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "core/models.hpp"
#include "core/stats.hpp"
#include "core/units.hpp"
#include "harness/csv.hpp"
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

const char* main_counter(const Measurement& m) {
  for (const char* c : {"GFLOPps", "busGBps", "GBps", "latency_ns"})
    if (m.has(c)) return c;
  return nullptr;
}

json summary_json(const std::vector<double>& v, bool higher_is_better) {
  const Summary s = summarize(v);
  return {{"best", higher_is_better ? s.max : s.min},
          {"median", s.median},
          {"cv", s.cv},
          {"repetitions", s.count}};
}

// Rows of the datasheet CSV whose name appears in the CPU or GPU name of this machine.
std::vector<std::map<std::string, std::string>> datasheet_rows(const std::string& path,
                                                               const std::string& device) {
  std::string lower_device = device;
  std::transform(lower_device.begin(), lower_device.end(), lower_device.begin(), ::tolower);
  std::vector<std::map<std::string, std::string>> rows;
  for (auto& row : read_csv_rows(path)) {
    std::string name = row["name"];
    std::transform(name.begin(), name.end(), name.begin(), ::tolower);
    if (!name.empty() && lower_device.find(name) != std::string::npos) rows.push_back(row);
  }
  return rows;
}

double number_or_nan(const std::string& s) {
  try {
    return s.empty() ? NAN : std::stod(s);
  } catch (const std::exception&) {
    return NAN;
  }
}

}  // namespace

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

json build_profile(const std::vector<ResultFile>& files, const LevelReport& levels,
                   const std::string& datasheet_csv) {
  json profile;
  profile["schema"] = kProfileSchema;

  // machine: every context key; where files disagree the first file's value is kept and the
  // others are listed under "per_file".
  json machine = json::object();
  for (const ResultFile& f : files)
    for (const auto& [key, value] : f.context.items())
      if (!machine.contains(key)) machine[key] = value;
  profile["machine"] = machine;

  // memory: each level the bandwidth curve shows, with the best rate any kernel reached on
  // that level's plateau, and the latency plateau of the level of the same name.
  json memory = json::object();
  const int threads = levels.bandwidth_threads;
  for (const DetectedLevel& level : levels.bandwidth.levels) {
    json entry;
    double best = 0;
    std::string best_name;
    for (const ResultFile& f : files)
      for (const Measurement& m : f.measurements) {
        if (m.family != "cpu.bw" || !m.has("GBps") || m.key_number("threads") != threads) continue;
        const double ws =
            m.has("working_set_bytes") ? m.median("working_set_bytes") : m.key_number("bytes");
        const bool on_plateau = ws >= level.plateau.first_bytes &&
                                (level.name == "DRAM" || ws <= level.plateau.last_bytes);
        if (on_plateau && m.best("GBps") > best) best = m.best("GBps"), best_name = m.name;
      }
    entry["bandwidth_GBps"] = best;
    entry["bandwidth_source"] = best_name;
    entry["bandwidth_plateau_GBps"] = level.plateau.median;
    entry["size_bytes"] = level.hwloc_bytes;
    entry["detected_bytes"] = level.detected_bytes;
    entry["size_disagrees"] = level.disagrees;
    memory[level.name] = entry;
  }
  for (const DetectedLevel& level : levels.latency.levels) {
    json& entry = memory[level.name];
    entry["latency_ns"] = level.plateau.median;
    entry["latency_best_ns"] = level.plateau.min;
    entry["latency_detected_bytes"] = level.detected_bytes;
    entry["latency_size_disagrees"] = level.disagrees;
  }
  profile["memory"] = memory;

  // compute: per format, the all-core peak and the theoretical peak at the measured clock.
  json compute = json::object();
  for (const ResultFile& f : files)
    for (const Measurement& m : f.measurements) {
      if (!m.error.empty() || !m.has("GFLOPps")) continue;
      const std::string type = m.keys.count("type") ? m.keys.at("type") : "";
      if (m.family == "cpu.flops") {
        json& entry = compute["cpu"][type];
        const int t = static_cast<int>(m.key_number("threads"));
        if (t == 1) entry["single_thread_GFLOPps"] = m.best("GFLOPps");
        if (!entry.contains("threads") || t > entry["threads"].get<int>()) {
          entry["threads"] = t;
          entry["peak_GFLOPps"] = m.best("GFLOPps");
          entry["peak"] = summary_json(m.counters.at("GFLOPps"), true);
          if (m.has("theoretical_GFLOPps")) {
            entry["theoretical_GFLOPps"] = m.median("theoretical_GFLOPps");
            entry["percent_of_theoretical"] =
                100 * m.best("GFLOPps") / m.median("theoretical_GFLOPps");
          }
          entry["how"] = m.label;
        }
      } else if (m.family == "cpu.gemm") {
        compute["cpu"][type]["gemm_GFLOPps"] = m.best("GFLOPps");
        compute["cpu"][type]["gemm_source"] = m.name;
      }
    }
  profile["compute"] = compute;

  // ratios: ridge point of every memory level against every format, and the three walls.
  json ratios = json::object();
  for (const auto& [device, formats] : compute.items())
    for (const auto& [type, c] : formats.items()) {
      if (!c.contains("peak_GFLOPps")) continue;
      const double peak = c["peak_GFLOPps"];
      for (const auto& [level, mem] : memory.items()) {
        const double bw = mem.value("bandwidth_GBps", 0.0);
        if (bw <= 0) continue;
        ratios["ridge_flop_per_byte"][level][type] = peak / bw;
        ratios["bytes_per_flop"][level][type] = bw / peak;
      }
    }
  json walls;
  if (compute.contains("cpu") && compute["cpu"].contains("fp32") && memory.contains("DRAM")) {
    const double peak = compute["cpu"]["fp32"].value("peak_GFLOPps", 0.0);
    const double dram = memory["DRAM"].value("bandwidth_GBps", 0.0);
    walls["compute_GFLOPps_fp32"] = peak;
    walls["memory_GBps"] = dram;
    walls["flop_per_dram_byte"] = dram > 0 ? peak / dram : 0;
    walls["interconnect_GBps"] = nullptr;  // no interconnect was measured (bench_comm)
    walls["note"] =
        "AI and Memory Wall: over 20 years peak FLOP/s grew 3.0x every 2 years, DRAM "
        "bandwidth 1.6x, interconnect 1.4x; the FLOP per byte a kernel needs to run at peak "
        "grows with them.";
  }
  ratios["walls"] = walls;
  profile["ratios"] = ratios;

  // transformer: each product with its intensity, rate, and what bounds it here.
  json ops = json::array();
  std::map<std::string, json> steps;
  const double dram = memory.contains("DRAM") ? memory["DRAM"].value("bandwidth_GBps", 0.0) : 0;
  for (const ResultFile& f : files)
    for (const Measurement& m : f.measurements) {
      if (m.family.rfind("xfmr.", 0) != 0 || !m.error.empty() || !m.has("flops")) continue;
      const std::string type = m.keys.count("type") ? m.keys.at("type") : "fp32";
      const double flops = m.median("flops"), bytes = m.median("bytes");
      const double intensity = flops / bytes;
      double peak = 0;
      if (compute.contains("cpu") && compute["cpu"].contains(type))
        peak = compute["cpu"][type].value("peak_GFLOPps", 0.0);
      const double ridge = dram > 0 ? peak / dram : 0;
      // The roof is the bandwidth of the level the operands fit in: a decode product whose
      // weights fit in the last-level cache is not held to DRAM's rate.
      std::string level = "DRAM";
      double level_bw = dram, level_size = 0;
      for (const auto& [name, mem] : memory.items()) {
        const double size = mem.value("detected_bytes", 0.0);
        if (name != "DRAM" && size >= bytes && (level_size == 0 || size < level_size))
          level = name, level_size = size, level_bw = mem.value("bandwidth_GBps", 0.0);
      }
      const double roof = std::min(peak, intensity * level_bw);
      json op = {
          {"name", m.name},
          {"family", m.family},
          {"model", m.variant.substr(0, m.variant.find('/'))},
          {"phase", m.variant.substr(m.variant.find('/') + 1)},
          {"op", m.keys.count("op") ? m.keys.at("op") : "layer"},
          {"batch", m.key_number("batch")},
          {"seq", m.key_number("seq")},
          {"type", type},
          {"flops", flops},
          {"bytes", bytes},
          {"intensity_flop_per_byte", intensity},
          {"GFLOPps", m.best("GFLOPps")},
          {"GBps", m.best("GBps")},
          {"seconds", m.has("seconds") ? m.median("seconds") : flops / m.best("GFLOPps") / 1e9},
          {"bound", ridge == 0          ? "unknown"
                    : intensity < ridge ? "memory"
                                        : "compute"},
          {"operands_fit_in", level},
          {"roofline_GFLOPps", roof},
          {"percent_of_roofline", roof > 0 ? 100 * m.best("GFLOPps") / roof : 0}};
      ops.push_back(op);
      // A model step: layers x the measured layer + the LM head once.
      const std::string key =
          m.variant + "/batch:" + m.keys.at("batch") + "/seq:" + m.keys.at("seq") + "/type:" + type;
      if (m.family == "xfmr.layer") steps[key]["layer_seconds"] = op["seconds"];
      if (op["op"] == "lm_head") steps[key]["lm_head_seconds"] = op["seconds"];
      steps[key]["model"] = op["model"];
      steps[key]["phase"] = op["phase"];
      steps[key]["batch"] = op["batch"];
      steps[key]["seq"] = op["seq"];
      steps[key]["type"] = type;
    }
  json step_list = json::array();
  for (auto& [key, s] : steps) {
    if (!s.contains("layer_seconds") || !s.contains("lm_head_seconds")) continue;
    int layers = 0;
    try {
      layers = find_model(s["model"].get<std::string>()).layers;
    } catch (const UsageError&) {
    }
    if (layers == 0) continue;  // a user model: its layer count is not in the results
    s["layers"] = layers;
    const double step =
        layers * s["layer_seconds"].get<double>() + s["lm_head_seconds"].get<double>();
    s["step_seconds"] = step;
    const double tokens = s["phase"] == "prefill"
                              ? s["batch"].get<double>() * s["seq"].get<double>()
                              : s["batch"].get<double>();
    s["tokens_per_second"] = tokens / step;
    step_list.push_back(s);
  }
  profile["transformer"] = {{"ops", ops}, {"steps", step_list}};

  // datasheet: the measured value as a percentage of the published one.
  json datasheet = json::array();
  if (!datasheet_csv.empty() && machine.contains("cpu_model")) {
    for (const auto& row : datasheet_rows(datasheet_csv, machine["cpu_model"].get<std::string>())) {
      json d = {{"name", row.at("name")},
                {"source", row.count("source_url") ? row.at("source_url") : ""}};
      const double bw = number_or_nan(row.count("mem_bw_gbs") ? row.at("mem_bw_gbs") : "");
      if (std::isfinite(bw) && memory.contains("DRAM"))
        d["memory_bandwidth_percent"] = 100 * memory["DRAM"].value("bandwidth_GBps", 0.0) / bw;
      for (const char* type : {"fp64", "fp32"}) {
        const double tf = number_or_nan(
            row.count(std::string(type) + "_tflops") ? row.at(std::string(type) + "_tflops") : "");
        if (std::isfinite(tf) && compute.contains("cpu") && compute["cpu"].contains(type))
          d[std::string(type) + "_percent"] =
              100 * compute["cpu"][type].value("peak_GFLOPps", 0.0) / (tf * 1e3);
      }
      datasheet.push_back(d);
    }
  }
  profile["datasheet"] = datasheet;

  // metrics: every benchmark's main counter with its repetitions, for compare and history.
  json metrics = json::array();
  for (const Metric& m : metrics_of(files))
    metrics.push_back({{"name", m.name},
                       {"counter", m.counter},
                       {"higher_is_better", m.higher_is_better},
                       {"samples", m.samples},
                       {"best", m.best()},
                       {"median", m.median()}});
  profile["metrics"] = metrics;

  json provenance = {
      {"inputs", json::array()}, {"failed", json::array()}, {"skipped", json::array()}};
  for (const ResultFile& f : files) {
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
