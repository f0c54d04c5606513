// The memory-wall ratios of each device: the ridge point of every memory level for every
// number format (peak FLOP/s over that level's bandwidth, from harness/roofline.hpp), and the
// paper's three walls side by side: peak compute, memory bandwidth, interconnect bandwidth.
#include "harness/profile.hpp"
#include "harness/roofline.hpp"

namespace memwall::harness {

namespace {

using nlohmann::json;

// The format a device's walls are quoted in: the ML format its peak is quoted for.
std::string headline_format(const json& formats, const std::string& device) {
  const std::vector<std::string> order = device == "cpu"
                                             ? std::vector<std::string>{"fp32", "fp64", "bf16"}
                                             : std::vector<std::string>{"bf16", "fp16", "fp32"};
  for (const std::string& t : order)
    if (formats.contains(t) && formats[t].contains("peak_GFLOPps")) return t;
  return "";
}

void ratios(const ProfileInputs&, json& profile) {
  for (const auto& [device, formats] : profile["compute"].items()) {
    json r = {{"ridge_flop_per_byte", json::object()}, {"bytes_per_flop", json::object()}};
    for (const auto& [type, c] : formats.items()) {
      const Roofline roof = roofline_of(profile, device, type);
      if (!roof.usable()) continue;
      for (const Ceiling& level : roof.levels) {
        r["ridge_flop_per_byte"][level.level][type] = roof.peak_GFLOPps / level.bandwidth_GBps;
        r["bytes_per_flop"][level.level][type] = level.bandwidth_GBps / roof.peak_GFLOPps;
      }
    }
    // The walls: memory is the device's last level (DRAM, HBM).
    const std::string type = headline_format(formats, device);
    const Roofline roof = roofline_of(profile, device, type);
    json walls = json::object();
    if (roof.usable()) {
      const Ceiling& memory = roof.levels.back();
      walls = {{"format", type},
               {"compute_GFLOPps", roof.peak_GFLOPps},
               {"memory_level", memory.level},
               {"memory_GBps", memory.bandwidth_GBps},
               {"flop_per_memory_byte", roof.peak_GFLOPps / memory.bandwidth_GBps},
               {"interconnect_GBps", nullptr},
               {"note",
                "AI and Memory Wall (Gholami et al.): over 20 years peak FLOP/s grew 3.0x every "
                "2 years, DRAM bandwidth 1.6x, interconnect bandwidth 1.4x."}};
    }
    r["walls"] = walls;
    profile["ratios"][device] = r;
  }
}

const bool registered = add_profile_section(40, "ratios", ratios);

}  // namespace

}  // namespace memwall::harness
