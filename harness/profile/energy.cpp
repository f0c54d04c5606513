// The energy step: what the board drew (NVML on GPUs; RAPL where a CPU bench records it) while
// the device's fastest GEMM of each format and its memory level's kernel ran, as pJ per FLOP
// and pJ per byte with their spread over the repetitions, beside the datasheet's own bound: TDP
// over the published peak or bandwidth (what one FLOP or byte costs if the whole board power
// went to it at full rate).
#include <map>

#include "harness/profile/steps.hpp"

namespace memwall::harness {

PerDevice<Energy> energy_step(const ProfileInputs& in, const PerDevice<Device>& devices,
                              const PerDevice<std::vector<Level>>& memory) {
  PerDevice<Energy> out;
  for (const auto& [id, d] : devices) {
    const double tdp = d.datasheet.match == "model" ? d.datasheet.tdp_W : 0;
    const auto levels = memory.find(id);
    const Level* memory_level = nullptr;
    if (levels != memory.end())
      for (const Level& l : levels->second)
        if (l.kind == LevelKind::memory) memory_level = &l;
    std::map<std::string, const Measurement*> gemm;  // the fastest of each format
    const Measurement* stream = nullptr;
    for (const ResultFile& f : in.files)
      for (const Measurement& m : f.measurements) {
        if (device_of(m) != id || !m.error.empty()) continue;
        if (m.role == Role::peak && m.field("path") == "library" && m.has("energy_pJ_per_flop") &&
            m.keys.count("type")) {
          const Measurement*& g = gemm[m.keys.at("type")];
          if (!g || m.best("GFLOPps") > g->best("GFLOPps")) g = &m;
        }
        if (memory_level && m.role == Role::bandwidth_curve &&
            m.variant == memory_level->bandwidth_kernel && m.has("energy_pJ_per_byte") &&
            (!stream || m.key_number("bytes") > stream->key_number("bytes")))
          stream = &m;
      }
    Energy e;
    e.tdp_W = tdp;
    for (const auto& [type, m] : gemm) {
      EnergyRow r;
      r.what = type + " GEMM";
      r.benchmark = m->name;
      r.unit = "pJ/FLOP";
      r.energy_pJ = spread_of(m->counters.at("energy_pJ_per_flop"), false);
      if (m->has("power_W")) r.power_W = spread_of(m->counters.at("power_W"), false);
      if (tdp > 0 && d.datasheet.peak_GFLOPps.count(type))
        r.datasheet_pJ = tdp / (d.datasheet.peak_GFLOPps.at(type) / 1e3);  // W / (TFLOP/s)
      e.rows.push_back(r);
    }
    if (stream) {
      EnergyRow r;
      r.what = memory_level->name + " " + memory_level->bandwidth_kernel;
      r.benchmark = stream->name;
      r.unit = "pJ/byte";
      r.energy_pJ = spread_of(stream->counters.at("energy_pJ_per_byte"), false);
      if (stream->has("power_W")) r.power_W = spread_of(stream->counters.at("power_W"), false);
      if (tdp > 0 && d.datasheet.memory_GBps > 0)
        r.datasheet_pJ = tdp / d.datasheet.memory_GBps * 1e3;  // W / (GB/s) = nJ per byte
      e.rows.push_back(r);
    }
    if (!e.rows.empty()) out[id] = e;
  }
  return out;
}

}  // namespace memwall::harness
