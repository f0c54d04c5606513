#include "harness/profile/result_file.hpp"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <fstream>
#include <sstream>

#include "core/counter_schema.hpp"
#include "core/stats.hpp"

namespace memwall::harness {

// memwall result files carry this major version in their context; a newer one is refused.
constexpr int kResultSchema = 1;

double Measurement::key_number(const std::string& key, double fallback) const {
  const auto it = keys.find(key);
  if (it == keys.end()) return fallback;
  try {
    return std::stod(it->second);
  } catch (const std::exception&) {
    return fallback;
  }
}

double Measurement::best(const std::string& counter) const {
  const Summary s = summarize(counters.at(counter));
  return higher_is_better(counter) ? s.max : s.min;
}

double Measurement::median(const std::string& counter) const {
  return summarize(counters.at(counter)).median;
}

std::string strip_gbench_suffixes(const std::string& name) {
  static const char* suffixes[] = {"manual_time",      "real_time", "process_time", "min_time:",
                                   "min_warmup_time:", "repeats:",  "iterations:"};
  std::string out = name;
  for (;;) {
    const size_t slash = out.rfind('/');
    if (slash == std::string::npos) return out;
    const std::string last = out.substr(slash + 1);
    bool strip = false;
    for (const char* s : suffixes) strip = strip || last.rfind(s, 0) == 0;
    if (!strip) return out;
    out.resize(slash);
  }
}

Measurement parse_name(const std::string& full) {
  Measurement m;
  m.name = strip_gbench_suffixes(full);
  std::stringstream parts(m.name);
  std::string part;
  int index = 0;
  while (std::getline(parts, part, '/')) {
    const size_t colon = part.find(':');
    if (index == 0)
      m.family = part;
    else if (colon == std::string::npos)  // plain segments: "triad", "bert-large/prefill"
      m.variant += (m.variant.empty() ? "" : "/") + part;
    else if (colon != std::string::npos)
      m.keys[part.substr(0, colon)] = part.substr(colon + 1);
    ++index;
  }
  return m;
}

std::string null_non_finite(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      out += c;
      if (c == '\\' && i + 1 < text.size())
        out += text[++i];
      else if (c == '"')
        in_string = false;
      continue;
    }
    if (c == '"') in_string = true;
    bool replaced = false;
    for (const char* token :
         {"-nan", "nan", "NaN", "-NaN", "-inf", "inf", "Infinity", "-Infinity"}) {
      const size_t len = std::strlen(token);
      if (text.compare(i, len, token) == 0 &&
          (i + len == text.size() || !std::isalnum(static_cast<unsigned char>(text[i + len])))) {
        out += "null";
        i += len - 1;
        replaced = true;
        break;
      }
    }
    if (!replaced) out += c;
  }
  return out;
}

ResultFile load_result_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw InputError(path + ": cannot read the file");
  ResultFile file;
  file.path = path;
  nlohmann::json doc;
  try {
    std::stringstream text;
    text << in.rdbuf();
    doc = nlohmann::json::parse(null_non_finite(text.str()));
  } catch (const nlohmann::json::parse_error& e) {
    throw InputError(path + ": not a complete JSON file (truncated or not JSON): " +
                     std::string(e.what()).substr(0, 120));
  }
  if (!doc.is_object() || !doc.contains("benchmarks") || !doc["benchmarks"].is_array() ||
      !doc.contains("context") || !doc["context"].is_object())
    throw InputError(path + ": not a Google Benchmark result file (no context/benchmarks)");
  file.context = doc["context"];
  // Counters its families declared beyond core's: known from here on, as they were declared.
  if (file.context.contains("memwall_counters") && file.context["memwall_counters"].is_string())
    declare_counters_from_json(file.context["memwall_counters"].get<std::string>());
  if (!file.context.contains("memwall_version"))
    throw InputError(path + ": a Google Benchmark file from another tool (no memwall_version)");
  if (file.context.contains("memwall_result_schema")) {
    const std::string schema = file.context["memwall_result_schema"].get<std::string>();
    if (std::atoi(schema.c_str()) > kResultSchema)
      throw InputError(path + ": result schema " + schema + " is newer than this memwall (" +
                       std::to_string(kResultSchema) + "); update memwall");
  }
  std::map<std::string, size_t> index;
  for (const nlohmann::json& b : doc["benchmarks"]) {
    if (!b.is_object() || !b.contains("name") || !b["name"].is_string())
      throw InputError(path + ": a benchmark entry without a name");
    if (b.value("run_type", "iteration") != "iteration") continue;  // GB's aggregates
    Measurement parsed = parse_name(b["name"].get<std::string>());
    auto [it, inserted] = index.emplace(parsed.name, file.measurements.size());
    if (inserted) file.measurements.push_back(parsed);
    Measurement& m = file.measurements[it->second];
    if (b.value("error_occurred", false)) {
      m.error = b.value("error_message", std::string("failed"));
      continue;
    }
    if (b.contains("label") && b["label"].is_string()) m.label = b["label"];
    static const char* gb_fields[] = {"name",
                                      "family_index",
                                      "per_family_instance_index",
                                      "run_name",
                                      "run_type",
                                      "repetitions",
                                      "repetition_index",
                                      "threads",
                                      "iterations",
                                      "real_time",
                                      "cpu_time",
                                      "time_unit",
                                      "label",
                                      "aggregate_name",
                                      "aggregate_unit",
                                      "error_occurred",
                                      "error_message"};
    for (const auto& [key, value] : b.items()) {
      if (!value.is_number()) continue;
      if (std::find_if(std::begin(gb_fields), std::end(gb_fields),
                       [&](const char* f) { return key == f; }) != std::end(gb_fields))
        continue;
      m.counters[key].push_back(value.get<double>());
    }
  }
  // A failed repetition makes the whole benchmark unusable: its numbers are not reported.
  for (Measurement& m : file.measurements)
    if (!m.error.empty()) m.counters.clear();
  return file;
}

std::string device_of(const Measurement& m) {
  if (m.keys.count("device")) return m.keys.at("device");
  const std::string domain = m.family.substr(0, m.family.find('.'));
  if (domain == "gpu") return "gpu0";
  if (domain == "io") return "storage0";
  return domain == "xfmr" || domain == "cpu" ? "cpu" : domain;
}

const char* main_counter(const Measurement& m) {
  for (const CounterInfo& c : counter_schema())
    if (c.main && m.has(c.name)) return c.name.c_str();
  return nullptr;
}

}  // namespace memwall::harness
