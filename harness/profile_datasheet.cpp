// Each device beside its published datasheet, where a row of data/datasheet_specs.csv names it.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>

#include "harness/csv.hpp"
#include "harness/datasheet.hpp"
#include "harness/json_util.hpp"
#include "harness/profile.hpp"
#include "harness/roofline.hpp"

namespace memwall::harness {

namespace {

using nlohmann::json;

// DRAM's theoretical bandwidth: channels x transfers per second x bus width. From --dram, else
// from SMBIOS as the bench recorded it (one module per channel assumed), else unknown.
json dram_theory(const ProfileInputs& in, const json& machine) {
  json d = {{"source", "unknown"}};
  int channels = 0, mts = 0, bits = 64;
  if (!in.dram.empty()) {
    if (std::sscanf(in.dram.c_str(), "%dx%dx%d", &channels, &mts, &bits) < 2 || channels <= 0 ||
        mts <= 0 || bits <= 0)
      throw InputError("bad --dram '" + in.dram + "' (CHANNELSxMT/s[xBITS], e.g. 12x4800)");
    d["source"] = "--dram " + in.dram;
  } else if (machine.contains("dram_modules")) {
    const std::string m = machine["dram_modules"];
    char type[32] = {};
    if (std::sscanf(m.c_str(), "%d x %31s at %d MT/s, %d-bit", &channels, type, &mts, &bits) >= 3)
      d["source"] = "SMBIOS (dmidecode): " + m + "; one module per channel assumed";
  }
  if (channels > 0 && mts > 0) {
    d["channels"] = channels;
    d["mts"] = mts;
    d["bus_bits"] = bits;
    d["theoretical_GBps"] = channels * static_cast<double>(mts) * 1e6 * bits / 8 / 1e9;
  } else {
    d["why"] = machine.value("hypervisor", "") == "yes"
                   ? "unknown (virtual machine: the firmware does not describe the host's DRAM)"
                   : "unknown (dmidecode not readable; give --dram CHANNELSxMT/s)";
  }
  return d;
}

void datasheet(const ProfileInputs& in, json& profile) {
  if (profile["devices"].contains("cpu")) {
    json d = dram_theory(in, profile["machine"]);
    const json& levels = memory_levels(profile, "cpu");
    if (d.contains("theoretical_GBps") && !levels.empty())
      d["measured_percent"] =
          100 * levels.back().value("bandwidth_GBps", 0.0) / d["theoretical_GBps"].get<double>();
    profile["dram"] = d;
  }
  json out = json::array();
  if (in.datasheet_csv.empty()) return;
  const std::string data_dir = std::filesystem::path(in.datasheet_csv).parent_path().string();
  for (const auto& [device, d] : profile["devices"].items()) {
    const auto row = datasheet_row(d.value("name", ""), data_dir);
    if (!row) continue;
    auto field = [&](const std::string& key) {
      const auto it = row->find(key);
      return it == row->end() ? std::string() : it->second;
    };
    json entry = {{"device", device},
                  {"name", field("name")},
                  {"source", field("source_url")},
                  {"year", field("year")}};
    const json& levels = memory_levels(profile, device);
    const double bw = datasheet_number(*row, "mem_bw_gbs");
    if (std::isfinite(bw) && !levels.empty()) {
      entry["memory_bandwidth_GBps"] = bw;
      entry["memory_bandwidth_percent"] = 100 * levels.back().value("bandwidth_GBps", 0.0) / bw;
    }
    const json& compute = member(profile["compute"], device);
    for (const char* type : {"fp64", "fp32", "tf32", "bf16", "fp16", "fp8"}) {
      const double tf = datasheet_number(*row, std::string(type) + "_tflops");
      if (std::isfinite(tf) && compute.contains(type) && compute[type].contains("peak_GFLOPps"))
        entry[std::string(type) + "_percent"] =
            100 * compute[type]["peak_GFLOPps"].get<double>() / (tf * 1e3);
    }
    const double tops = datasheet_number(*row, "int8_tops");
    if (std::isfinite(tops) && compute.contains("int8") && compute["int8"].contains("peak_GFLOPps"))
      entry["int8_percent"] = 100 * compute["int8"]["peak_GFLOPps"].get<double>() / (tops * 1e3);
    out.push_back(entry);
  }
  profile["datasheet"] = out;
}

const bool registered = add_profile_section(60, "datasheet", datasheet);

}  // namespace

}  // namespace memwall::harness
