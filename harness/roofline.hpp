// The roofline of one device and number format, read from the profile: the peak, and each
// memory level's bandwidth and capacity. Every place that needs a ridge point, a roof or a
// bound (the profile's ratios, the Transformer products, the plots) goes through here, so they
// cannot use different bandwidths.
#pragma once
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace memwall::harness {

struct Ceiling {
  std::string level;
  double bandwidth_GBps = 0;
  double capacity_bytes = 0;  // what the device's threads can hold there; 0: no limit (memory)
};

struct Roofline {
  std::string device, type;
  double peak_GFLOPps = 0;      // 0: no peak measured for this format
  std::vector<Ceiling> levels;  // fastest first
  bool usable() const { return peak_GFLOPps > 0 && !levels.empty(); }
};

Roofline roofline_of(const nlohmann::json& profile, const std::string& device,
                     const std::string& type);

// Where a product with `bytes` of operands and `intensity` FLOP/byte sits: the fastest level
// its operands fit in, that level's bandwidth, the ridge point there, the attainable rate and
// what bounds it.
struct Placement {
  std::string level;
  double bandwidth_GBps = 0;
  double ridge_flop_per_byte = 0;
  double attainable_GFLOPps = 0;
  std::string bound;  // "memory" or "compute"
};
Placement place(const Roofline& roofline, double bytes, double intensity);

// The levels of a device in the profile, in hierarchy order (schema 2 keeps them in an array).
const nlohmann::json& memory_levels(const nlohmann::json& profile, const std::string& device);
// One level by name, or null.
const nlohmann::json* find_level(const nlohmann::json& profile, const std::string& device,
                                 const std::string& name);

}  // namespace memwall::harness
