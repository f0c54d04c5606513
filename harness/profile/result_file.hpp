// Reads the Google Benchmark JSON files the bench_* binaries write, and nothing else: a
// truncated, foreign or newer file is refused with an error that names it.
#pragma once
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "harness/profile/input_error.hpp"

namespace memwall::harness {

// One benchmark: its name split into family, variant and keys, and every repetition's
// counters (the aggregates Google Benchmark adds are ignored; we compute our own).
struct Measurement {
  std::string name;     // "cpu.bw/triad/pages:huge/threads:2/bytes:4096"
  std::string family;   // "cpu.bw"
  std::string variant;  // "triad"
  std::map<std::string, std::string> keys;
  std::map<std::string, std::vector<double>> counters;
  std::string error;  // non-empty when a repetition failed or was interrupted
  std::string label;

  double key_number(const std::string& key, double fallback = 0) const;
  bool has(const std::string& counter) const { return counters.count(counter) > 0; }
  // Best over repetitions: max for rates, min for latencies (core/counter_schema.hpp).
  double best(const std::string& counter) const;
  double median(const std::string& counter) const;
};

struct ResultFile {
  std::string path;
  nlohmann::json context = nlohmann::json::object();
  std::vector<Measurement> measurements;
};

// Google Benchmark appends /manual_time, /repeats:N, ... to names; memwall names are without.
std::string strip_gbench_suffixes(const std::string& name);
// Splits "cpu.lat/chase/pages:huge/bytes:4096" into family, variant and keys.
Measurement parse_name(const std::string& name);

// Google Benchmark writes a counter's NaN or infinity (a cv over a mean of 0) as a bare
// token that is not JSON; this turns those tokens, outside strings, into null.
std::string null_non_finite(const std::string& json_text);

ResultFile load_result_file(const std::string& path);

// The device a benchmark ran on: its `device` key, else its domain's (cpu for cpu.* and xfmr.*,
// gpu0 for gpu.*, storage0 for io.*, the domain itself otherwise: comm).
std::string device_of(const Measurement& m);
// The main counter of a benchmark (the schema's first main counter it has), or nullptr.
const char* main_counter(const Measurement& m);

}  // namespace memwall::harness
