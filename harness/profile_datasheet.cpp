// Each device beside its published datasheet, where a row of data/datasheet_specs.csv names it.
#include <algorithm>
#include <cmath>

#include "harness/csv.hpp"
#include "harness/profile.hpp"
#include "harness/roofline.hpp"

namespace memwall::harness {

namespace {

using nlohmann::json;

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), ::tolower);
  return s;
}

double number_or_nan(const std::map<std::string, std::string>& row, const std::string& key) {
  const auto it = row.find(key);
  if (it == row.end() || it->second.empty()) return NAN;
  try {
    return std::stod(it->second);
  } catch (const std::exception&) {
    return NAN;
  }
}

void datasheet(const ProfileInputs& in, json& profile) {
  json out = json::array();
  if (in.datasheet_csv.empty()) return;
  for (const auto& [device, d] : profile["devices"].items()) {
    const std::string name = lower(d.value("name", ""));
    for (auto& row : read_csv_rows(in.datasheet_csv)) {
      const std::string published = lower(row["name"]);
      if (published.empty() || name.find(published) == std::string::npos) continue;
      json entry = {{"device", device}, {"name", row["name"]}, {"source", row["source_url"]}};
      const json& levels = memory_levels(profile, device);
      const double bw = number_or_nan(row, "mem_bw_gbs");
      if (std::isfinite(bw) && !levels.empty()) {
        entry["memory_bandwidth_GBps"] = bw;
        entry["memory_bandwidth_percent"] =
            100 * levels.back().value("bandwidth_GBps", 0.0) / bw;
      }
      const json& compute = profile["compute"].value(device, json::object());
      for (const char* type : {"fp64", "fp32", "bf16", "fp16", "tf32", "fp8"}) {
        const double tf = number_or_nan(row, std::string(type) + "_tflops");
        if (std::isfinite(tf) && compute.contains(type) && compute[type].contains("peak_GFLOPps"))
          entry[std::string(type) + "_percent"] =
              100 * compute[type]["peak_GFLOPps"].get<double>() / (tf * 1e3);
      }
      out.push_back(entry);
    }
  }
  profile["datasheet"] = out;
}

const bool registered = add_profile_section(60, "datasheet", datasheet);

}  // namespace

}  // namespace memwall::harness
