// Energy per device: what the board drew (NVML on GPUs; RAPL where a CPU bench records it) while
// the device's fastest GEMM of each format and its memory-level kernel ran, as pJ per FLOP and
// pJ per byte, beside the datasheet's own bound: TDP over the published peak or bandwidth (what
// one FLOP or byte costs if the whole board power went to it at full rate).
#include <cmath>
#include <filesystem>

#include "harness/datasheet.hpp"
#include "harness/json_util.hpp"
#include "harness/profile.hpp"
#include "harness/roofline.hpp"

namespace memwall::harness {

namespace {

using nlohmann::json;

double field(const std::optional<DatasheetRow>& row, const std::string& key) {
  return row ? datasheet_number(*row, key) : NAN;
}

void energy(const ProfileInputs& in, json& profile) {
  const std::string data_dir = in.datasheet_csv.empty()
                                   ? ""
                                   : std::filesystem::path(in.datasheet_csv).parent_path().string();
  for (const auto& [device, d] : profile["devices"].items()) {
    const auto row = data_dir.empty() ? std::nullopt : datasheet_row(d.value("name", ""), data_dir);
    const double tdp = field(row, "tdp_w");
    json rows = json::array();
    // The fastest GEMM of each format that recorded its energy.
    std::map<std::string, const Measurement*> gemm;
    const Measurement* memory = nullptr;
    const json& levels = memory_levels(profile, device);
    const std::string memory_kernel =
        levels.empty() ? "" : levels.back().value("bandwidth_kernel", "");
    for (const ResultFile& f : in.files)
      for (const Measurement& m : f.measurements) {
        if (device_of(m) != device || !m.error.empty()) continue;
        if (m.family.ends_with(".gemm") && m.has("energy_pJ_per_flop") && m.keys.count("type")) {
          const Measurement*& g = gemm[m.keys.at("type")];
          if (!g || m.best("GFLOPps") > g->best("GFLOPps")) g = &m;
        }
        if (m.family.ends_with(".bw") && m.variant == memory_kernel &&
            m.has("energy_pJ_per_byte") &&
            (!memory || m.key_number("bytes") > memory->key_number("bytes")))
          memory = &m;
      }
    for (const auto& [type, m] : gemm) {
      json r = {{"what", type + " GEMM"},
                {"benchmark", m->name},
                {"pJ_per_flop", m->median("energy_pJ_per_flop")}};
      if (m->has("power_W")) r["power_W"] = m->median("power_W");
      const double peak = field(row, type == "int8" ? "int8_tops" : type + "_tflops");
      if (std::isfinite(tdp) && std::isfinite(peak) && peak > 0)
        r["datasheet_pJ_per_flop"] = tdp / peak;  // W / (TFLOP/s) = pJ per FLOP
      rows.push_back(r);
    }
    if (memory) {
      json r = {{"what", levels.back().value("name", "memory") + " " + memory_kernel},
                {"benchmark", memory->name},
                {"pJ_per_byte", memory->median("energy_pJ_per_byte")}};
      if (memory->has("power_W")) r["power_W"] = memory->median("power_W");
      const double bw = field(row, "mem_bw_gbs");
      if (std::isfinite(tdp) && std::isfinite(bw) && bw > 0)
        r["datasheet_pJ_per_byte"] = tdp / bw * 1e3;  // W / (GB/s) = nJ per byte
      rows.push_back(r);
    }
    if (rows.empty()) continue;
    profile["energy"][device] = {{"rows", rows}};
    if (std::isfinite(tdp)) profile["energy"][device]["tdp_W"] = tdp;
  }
}

const bool registered = add_profile_section(65, "energy", energy);

}  // namespace

}  // namespace memwall::harness
