// Finds the cache levels in a measured curve (bandwidth or latency against working-set size):
// each level is a plateau, and the size where a plateau ends is that level's capacity as the
// kernel sees it. Reported beside what hwloc says, since virtual machines often misreport.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace memwall {

struct CurvePoint {
  double bytes = 0;
  double value = 0;
};

struct Plateau {
  double first_bytes = 0;  // smallest size on the plateau
  double last_bytes = 0;   // largest size still on it
  double next_bytes = 0;   // first size past it (0 for the last plateau)
  double median = 0, min = 0, max = 0;
  int points = 0;
};

// Points are sorted by size first. A plateau holds the points within `tolerance` (relative) of
// its running median; one point off and back again is noise and skipped; runs shorter than
// `min_points` are transitions between levels and dropped (0: at least 3 points and at least
// an octave at the curve's density), and so are runs that climb or fall by more than half
// of `tolerance` per octave (the slow slide from the last cache into DRAM); neighbours left with
// medians within `tolerance` of each other are one level split by noise and are joined.
std::vector<Plateau> find_plateaus(std::vector<CurvePoint> curve, double tolerance = 0.15,
                                   int min_points = 0);

struct DetectedLevel {
  std::string name;  // L1, L2, ..., DRAM
  Plateau plateau;
  uint64_t detected_bytes = 0;  // last size on the plateau; 0 for DRAM (no upper edge)
  uint64_t hwloc_bytes = 0;     // what hwloc reports for this level, 0 if unknown
  bool disagrees = false;       // hwloc's size lies clearly outside the measured edge
};

// Names the plateaus L1.. in order and the last one DRAM. `hwloc_bytes[i]` is the capacity hwloc
// gives for level i+1 as this curve sees it (one instance for one thread, all instances used
// by the threads otherwise). Where the plateau count does not match, the extra or missing
// levels are reported with `disagrees` set.
std::vector<DetectedLevel> name_levels(const std::vector<Plateau>& plateaus,
                                       const std::vector<uint64_t>& hwloc_bytes);

}  // namespace memwall
