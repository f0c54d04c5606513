#include "harness/profile/pipeline.hpp"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "core/context.hpp"
#include "core/counter_schema.hpp"
#include "harness/figure.hpp"
#include "harness/profile/predict.hpp"
#include "harness/profile/references.hpp"
#include "harness/profile/sha256.hpp"
#include "harness/profile/steps.hpp"

namespace memwall::harness {

namespace fs = std::filesystem;
using nlohmann::json;

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

std::vector<ResultFile> load_result_files(const std::vector<std::string>& paths) {
  std::vector<ResultFile> files;
  for (const std::string& input : paths) {
    std::vector<std::string> found;
    if (fs::is_directory(input)) {
      for (const auto& entry : fs::directory_iterator(input)) {
        const std::string name = entry.path().filename().string();
        if (name.rfind("bench_", 0) == 0 && entry.path().extension() == ".json")
          found.push_back(entry.path().string());
      }
      if (found.empty()) throw InputError(input + ": no bench_*.json result files in this folder");
      std::sort(found.begin(), found.end());
    } else {
      found.push_back(input);
    }
    for (const std::string& path : found) files.push_back(load_result_file(path));
  }
  return merge_by_name(std::move(files));
}

std::vector<Metric> metrics_of(const std::vector<ResultFile>& files) {
  std::vector<Metric> out;
  for (const ResultFile& f : files)
    for (const Measurement& m : f.measurements) {
      const char* c = main_counter(m);
      if (!c || !m.error.empty()) continue;
      out.push_back(make_metric(m.name, c, m.counters.at(c), m.counter_info(c)->higher_is_better));
      out.back().loaded = loaded_why(m);
    }
  return out;
}

Provenance provenance_step(const ProfileInputs& in, const PerDevice<LevelAnalysis>& analyses) {
  Provenance p;
  for (const ResultFile& f : in.files) {
    p.inputs.push_back({fs::path(f.path).filename().string(), sha256_file(f.path),
                        f.context.value("memwall_binary", ""), f.context.value("date", "")});
    for (const Measurement& m : f.measurements) {
      if (m.error.empty()) continue;
      const bool skipped = m.error.rfind("skipped", 0) == 0 || m.error == "interrupted";
      (skipped ? p.skipped : p.failed).push_back({m.name, m.error});
    }
  }
  for (const auto& [device, analysis] : analyses)
    for (const std::string& w : analysis.warnings) p.warnings.push_back(device + ": " + w);
  p.memwall_version = memwall_version();
  p.git_commit = git_commit();
  p.build_type = memwall_build_type();
  return p;
}

Profile build_profile(const ProfileInputs& given) {
  // Every step reads what each benchmark is from its role, never from its family's name.
  ProfileInputs in = given;
  const auto& before = roles_before_declarations(in.data_dir.empty() ? data_dir() : in.data_dir);
  for (ResultFile& f : in.files) resolve_roles(f, before);
  Profile p;
  for (const ResultFile& f : in.files)
    for (const auto& [key, value] : f.context.items())
      if (key != "memwall_roles")  // the families' declarations, not the machine's
        p.machine.emplace(key, value.is_string() ? value.get<std::string>() : value.dump());
  p.host = host_context(in);
  p.devices = devices_step(in);
  const PerDevice<LevelAnalysis> analyses = levels_step(in, p.devices);
  p.memory = memory_step(analyses, p.devices);
  p.curves = curves_step(in, p.devices, analyses);
  p.storage = storage_rows(in);
  add_storage_level(in, p.storage, p.memory, p.curves);
  p.compute = compute_step(in, p.devices);
  p.links = links_step(in, p.devices);
  p.ratios = ratios_step(p.devices, p.memory, p.compute, p.links);
  p.transformer = products_step(in, analyses, p.memory, p.compute);
  p.transformer.loads = model_loads(p.memory);
  p.models = models_step(p);
  p.energy = energy_step(in, p.devices, p.memory);
  p.trend = trend_step(in, p.devices, p.ratios);
  p.metrics = metrics_of(in.files);
  p.run_state = run_state_step(in);
  for (const FigureModule& figure : figure_modules())  // each figure's part, in the table's order
    if (figure.step) figure.step(in, p);
  p.references_source =
      in.references.empty()
          ? (fs::path(in.data_dir.empty() ? data_dir() : in.data_dir) / "reference_machines.csv")
                .string()
          : in.references;
  const std::vector<Reference> references =
      in.references.empty() && !fs::exists(p.references_source)
          ? std::vector<Reference>{}
          : load_references(p.references_source);
  p.verdicts = verdicts_step(in, p, references, p.references);
  if (in.references.empty()) p.references_source = "data/reference_machines.csv";
  std::set<std::string> declared;
  for (const ResultFile& f : in.files)  // the counters families declared beyond core's, once each
    for (const Measurement& m : f.measurements)
      if (const char* main = m.error.empty() ? main_counter(m) : nullptr)
        if (const CounterInfo* c = m.counter_info(main);
            c && !core_counter(main) && declared.insert(c->name).second)
          p.counters.push_back(
              {c->name, c->unit, c->meaning, c->higher_is_better, c->main, c->headline, c->scale});
  p.provenance = provenance_step(in, analyses);
  return p;
}

std::vector<Metric> load_metrics(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw InputError(path + ": cannot read the file");
  std::stringstream text;
  text << in.rdbuf();
  json doc;
  try {
    doc = json::parse(null_non_finite(text.str()));
  } catch (const json::parse_error&) {
    throw InputError(path + ": not a complete JSON file (truncated or not JSON)");
  }
  if (doc.is_object() && doc.contains("schema") && doc.contains("metrics"))
    return parse_profile(text.str(), path).metrics;
  return metrics_of({load_result_file(path)});
}

std::string data_dir() {
  if (const char* env = std::getenv("MEMWALL_DATA")) return env;
  std::error_code ec;
  const fs::path self = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    const fs::path installed = self.parent_path().parent_path() / "share" / "memwall" / "data";
    if (fs::exists(installed / "datasheet_specs.csv")) return installed.string();
  }
  return MEMWALL_DATA_DIR;
}

}  // namespace memwall::harness
