// Reads the Google Benchmark JSON files the bench_* binaries write, and nothing else: a
// truncated, foreign or newer file is refused with an error that names it.
#pragma once
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/counter_schema.hpp"
#include "core/roles.hpp"
#include "harness/profile/input_error.hpp"
#include "harness/vocabulary.hpp"

namespace memwall::harness {

// One benchmark: its name split into family, variant and keys, and every repetition's
// counters (the aggregates Google Benchmark adds are ignored; we compute our own).
struct Measurement {
  std::string name;     // "<domain>.<family>/triad/pages:huge/threads:2/bytes:4096"
  std::string family;   // "<domain>.<family>"
  std::string variant;  // "triad"
  std::map<std::string, std::string> keys;
  std::map<std::string, std::vector<double>> counters;
  std::string error;  // non-empty when a repetition failed or was interrupted
  std::string label;
  // What its family declared it to be (core/roles.hpp), once its file's roles are resolved:
  // the role, the role's fields, and the device of a name without a device key.
  Role role = Role::unset;
  std::map<std::string, std::string> role_fields;
  std::string declared_device;
  // The counters its file declared beyond core's (shared by the file's benchmarks).
  std::shared_ptr<const std::vector<CounterInfo>> declared_counters;

  double key_number(const std::string& key, double fallback = 0) const;
  bool has(const std::string& counter) const { return counters.count(counter) > 0; }
  // Best over repetitions: max for rates, min for latencies (core/counter_schema.hpp).
  double best(const std::string& counter) const;
  double median(const std::string& counter) const;
  // A field of its role ("" where the declaration has none).
  std::string field(const std::string& name) const;
  // A counter as core or its file declared it; nullptr for neither.
  const CounterInfo* counter_info(const std::string& counter) const;
};

struct ResultFile {
  std::string path;
  nlohmann::json context = nlohmann::json::object();
  std::vector<Measurement> measurements;
  // Its families' role declarations (the context's memwall_roles), with those it was resolved
  // with for the families it does not declare.
  std::vector<RoleDeclaration> roles;
};

// Gives each benchmark of the file its role: from the file's own declarations, or from
// `before` for the families it does not declare (written before families declared roles).
void resolve_roles(ResultFile& file, const std::vector<RoleDeclaration>& before);
// The roles of files written before families declared them: DATA/roles_before_declarations.json.
const std::vector<RoleDeclaration>& roles_before_declarations(const std::string& data_dir);

// Google Benchmark appends /manual_time, /repeats:N, ... to names; memwall names are without.
std::string strip_gbench_suffixes(const std::string& name);
// Splits "<domain>.<family>/chase/pages:huge/bytes:4096" into family, variant and keys.
Measurement parse_name(const std::string& name);

// Google Benchmark writes a counter's NaN or infinity (a cv over a mean of 0) as a bare
// token that is not JSON; this turns those tokens, outside strings, into null.
std::string null_non_finite(const std::string& json_text);

ResultFile load_result_file(const std::string& path);

// The device a benchmark ran on: its `device` key, else the device its role declares, else the
// name's domain (what comes before the family's first dot).
std::string device_of(const Measurement& m);
// The main counter of a benchmark (core's first main counter it has, else its file's), or nullptr.
const char* main_counter(const Measurement& m);

}  // namespace memwall::harness
