// The roofline of one device and number format, from the profile's levels and peak: every place
// that needs a ridge point, a roof or a bound (the ratios, the Transformer products, the plots)
// goes through here, so they cannot use different bandwidths.
#pragma once
#include <string>
#include <vector>

#include "harness/profile/model.hpp"

namespace memwall::harness {

struct Ceiling {
  std::string level;
  double bandwidth_GBps = 0;   // 0: the level has no bandwidth (no plateau, not measured)
  double capacity_bytes = 0;   // what one product's operands may take there; 0: no limit
  bool beyond_memory = false;  // storage: a roof of its own, never where operands are placed
};

struct Roofline {
  std::string device, type;
  double peak_GFLOPps = 0;             // 0: no peak measured for this format
  std::vector<Ceiling> levels;         // every level, fastest first
  std::vector<Ceiling> roofs() const;  // the levels with a bandwidth
  // The slowest roof a kernel streams from (DRAM, HBM), never storage: where ridges are read.
  Ceiling memory_roof() const;
  bool usable() const { return peak_GFLOPps > 0 && !roofs().empty(); }
};

Roofline roofline_of(const std::vector<Level>& levels, const std::string& device,
                     const std::string& type, double peak_GFLOPps);
Roofline roofline_of(const Profile& profile, const std::string& device, const std::string& type);

// Where a product with `bytes` of operands and `intensity` FLOP/byte sits: the fastest level
// its operands fit in, and the roof it is judged by: that level's, or where that level has no
// bandwidth, the next slower level's (a lower bound of what the faster level delivers).
struct Placement {
  std::string fits_in, level;
  std::string note;  // why `level` is not `fits_in`
  double bandwidth_GBps = 0;
  double ridge_flop_per_byte = 0;
  double attainable_GFLOPps = 0;
  Bound bound = Bound::unset;  // memory or compute; unset: no roof
};
Placement place(const Roofline& roofline, double bytes, double intensity);

}  // namespace memwall::harness
