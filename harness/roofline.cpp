#include "harness/roofline.hpp"

#include <algorithm>

namespace memwall::harness {

using nlohmann::json;

const json& memory_levels(const json& profile, const std::string& device) {
  static const json none = json::array();
  if (!profile.contains("memory") || !profile["memory"].contains(device)) return none;
  const json& levels = profile["memory"][device];
  return levels.is_array() ? levels : none;
}

const json* find_level(const json& profile, const std::string& device, const std::string& name) {
  for (const json& l : memory_levels(profile, device))
    if (l.value("name", "") == name) return &l;
  return nullptr;
}

Roofline roofline_of(const json& profile, const std::string& device, const std::string& type) {
  Roofline r;
  r.device = device;
  r.type = type;
  if (profile.contains("compute") && profile["compute"].contains(device) &&
      profile["compute"][device].contains(type))
    r.peak_GFLOPps = profile["compute"][device][type].value("peak_GFLOPps", 0.0);
  for (const json& l : memory_levels(profile, device)) {
    const double bw = l.value("bandwidth_GBps", 0.0);
    if (bw <= 0) continue;
    r.levels.push_back({l.value("name", ""), bw,
                        l.value("placement_capacity_bytes", l.value("capacity_bytes", 0.0))});
  }
  return r;
}

Placement place(const Roofline& roofline, double bytes, double intensity) {
  Placement p;
  if (!roofline.usable()) return p;
  const Ceiling* at = &roofline.levels.back();  // memory, unless the operands fit higher
  for (const Ceiling& c : roofline.levels)
    if (c.capacity_bytes > 0 && bytes <= c.capacity_bytes) {
      at = &c;
      break;
    }
  p.level = at->level;
  p.bandwidth_GBps = at->bandwidth_GBps;
  p.ridge_flop_per_byte = roofline.peak_GFLOPps / at->bandwidth_GBps;
  p.attainable_GFLOPps = std::min(roofline.peak_GFLOPps, intensity * at->bandwidth_GBps);
  p.bound = intensity < p.ridge_flop_per_byte ? "memory" : "compute";
  return p;
}

}  // namespace memwall::harness
