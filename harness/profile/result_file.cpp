#include "harness/profile/result_file.hpp"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <fstream>
#include <set>
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

const CounterInfo* Measurement::counter_info(const std::string& counter) const {
  static const std::vector<CounterInfo> none;
  return find_counter(declared_counters ? *declared_counters : none, counter);
}

double Measurement::best(const std::string& counter) const {
  const Summary s = summarize(counters.at(counter));
  const CounterInfo* c = counter_info(counter);
  return !c || c->higher_is_better ? s.max : s.min;
}

double Measurement::median(const std::string& counter) const {
  return summarize(counters.at(counter)).median;
}

std::string Measurement::field(const std::string& name) const {
  const auto it = role_fields.find(name);
  return it == role_fields.end() ? "" : it->second;
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
  // Counters its families declared beyond core's: this file's benchmarks are read by them.
  auto declared = std::make_shared<std::vector<CounterInfo>>();
  if (file.context.contains("memwall_counters") && file.context["memwall_counters"].is_string())
    *declared = counters_from_json(file.context["memwall_counters"].get<std::string>());
  if (!file.context.contains("memwall_version"))
    throw InputError(path + ": a Google Benchmark file from another tool (no memwall_version)");
  if (file.context.contains("memwall_roles")) try {
      file.roles = roles_from_json(file.context["memwall_roles"].is_string()
                                       ? file.context["memwall_roles"].get<std::string>()
                                       : file.context["memwall_roles"].dump());
    } catch (const std::invalid_argument& e) {
      throw InputError(path + ": memwall_roles: " + e.what());
    }
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
    if (inserted) {
      parsed.declared_counters = declared;
      file.measurements.push_back(parsed);
    }
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
  if (!file.roles.empty()) resolve_roles(file, {});
  return file;
}

void resolve_roles(ResultFile& file, const std::vector<RoleDeclaration>& before) {
  // A family the file declares is read as declared; one it does not (files written before
  // families declared roles, a stand-in binary) as `before` says.
  std::set<std::string> declared;
  for (RoleDeclaration& d : file.roles) {
    declared.insert(d.family);
    // A field the frozen table gives a declaration that the file's binary did not yet write
    // (cpu.lat/loaded's under_load) is read as the table gives it.
    for (const RoleDeclaration& b : before)
      if (b.family == d.family && b.variant == d.variant && b.keys == d.keys && b.role == d.role)
        d.fields.insert(b.fields.begin(), b.fields.end());
  }
  for (const RoleDeclaration& d : before)
    if (!declared.count(d.family)) file.roles.push_back(d);
  for (Measurement& m : file.measurements) {
    const RoleDeclaration* d = role_of(file.roles, m.family, m.variant, m.keys);
    // A name without a key its role needs fails alone, here, not as a throw deep in a step.
    if (const std::string key = d && m.error.empty() ? missing_key(d->role, m.keys) : "";
        !key.empty()) {
      m.error = "error: the name lacks the key '" + key + "' that its role (" + d->role + ") needs";
      m.counters.clear();
      d = nullptr;
    }
    m.role = d ? word<Role>(d->role) : Role::unset;
    m.role_fields = d ? d->fields : std::map<std::string, std::string>{};
    m.declared_device = d ? d->device : "";
  }
}

const std::vector<RoleDeclaration>& roles_before_declarations(const std::string& data_dir) {
  static std::map<std::string, std::vector<RoleDeclaration>> by_dir;
  const auto found = by_dir.find(data_dir);
  if (found != by_dir.end()) return found->second;
  const std::string path = data_dir + "/roles_before_declarations.json";
  std::ifstream in(path);
  if (!in) throw InputError(path + ": cannot read the roles of older result files");
  std::stringstream text;
  text << in.rdbuf();
  try {
    return by_dir[data_dir] = roles_from_json(text.str());
  } catch (const std::invalid_argument& e) {
    throw InputError(path + ": " + e.what());
  }
}

std::string device_of(const Measurement& m) {
  if (m.keys.count("device")) return m.keys.at("device");
  if (!m.declared_device.empty()) return m.declared_device;
  return m.family.substr(0, m.family.find('.'));
}

const char* main_counter(const Measurement& m) {
  for (const CounterInfo& c : counter_schema())
    if (c.main && core_counter(c.name) && m.has(c.name)) return c.name.c_str();
  if (m.declared_counters)
    for (const CounterInfo& c : *m.declared_counters)
      if (c.main && m.has(c.name)) return c.name.c_str();
  return nullptr;
}

}  // namespace memwall::harness
