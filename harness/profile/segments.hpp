// Finds the levels of a memory hierarchy in a measured latency curve (ns per load against the
// working set) and names them by what the machine says it has. The curve is cut into pieces of
// constant latency by optimal segmentation in log-log space (dynamic programming, least
// squares); the number of pieces is the one with the lowest BIC among those whose every step
// rises by at least a stated fraction. A piece is named after the cache whose capacity its edge
// matches (within x0.5..x2), never by position; the first piece past the caches is memory (DRAM,
// HBM), and a further step past it is address translation (TLB reach, nested paging in a VM),
// noted on the memory level rather than made a level of its own.
// Shared by every device: a GPU's curve goes through the same code.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "harness/vocabulary.hpp"

namespace memwall::harness {

struct CurvePoint {
  double bytes = 0;
  double value = 0;
};

struct Plateau {
  double first_bytes = 0;  // smallest size of the piece
  double last_bytes = 0;   // largest size still on the plateau (within tolerance of its median)
  double next_bytes = 0;   // first size of the next piece (0 for the last)
  double median = 0, min = 0, max = 0;  // over the points on the plateau
  int points = 0;
};

struct SegmentOptions {
  double min_step = 0.15;  // each level at least this much slower than the one before
  int min_points = 0;      // shortest piece; 0: half an octave at the curve's density, >= 2
  int max_pieces = 8;
};

// The plateaus of a rising curve (latency). Points need not be sorted; non-positive ones are
// dropped.
std::vector<Plateau> find_plateaus(std::vector<CurvePoint> curve,
                                   const SegmentOptions& options = {});

// A cache as the machine reports it (hwloc): one instance's size and how many there are.
struct CacheInfo {
  int level = 0;
  uint64_t size_bytes = 0;
  int instances = 1;
};

struct DetectedLevel {
  std::string name;                   // L1, L2, L3, DRAM
  LevelKind kind = LevelKind::unset;  // cache or memory
  Plateau plateau;
  uint64_t detected_bytes = 0;  // the plateau's edge; 0 for the last level
  uint64_t hwloc_bytes = 0;     // the matched cache's capacity for one thread, 0 if none
  bool disagrees = false;       // the edge lies outside x0.5..x2 of hwloc's capacity
  std::string note;             // why, for the report
  // Memory only: the largest further step (address translation), where the curve shows one.
  double translation_bytes = 0;    // the first size past it
  double translation_latency = 0;  // the plateau after it
};

// Where a falling curve (one thread's read bandwidth) leaves a level: the last size, from
// `level_lo` on, before the curve drops below the geometric mean of its median over
// [level_lo, level_hi] and its median over [next_lo, next_hi] (two points in a row below it, so
// one noisy point does not end the level). 0 when the two medians differ by less than
// `min_drop` or either interval has no points. A cache can hold a fast stream's lines well past
// where a slow dependent chase loses its own (prefetched neighbours take room; other tenants of
// a shared cache evict them): this is the stream's view.
double falling_edge(const std::vector<CurvePoint>& curve, double level_lo, double level_hi,
                    double next_lo, double next_hi, double min_drop = 0.15);

// Names the plateaus of a one-thread curve. `caches` in level order (data and unified), as
// `reported_by` (hwloc, a GPU's device attributes) gives them. A curve that stops inside the
// caches has no memory level.
std::vector<DetectedLevel> name_levels(const std::vector<Plateau>& plateaus,
                                       const std::vector<CacheInfo>& caches,
                                       const std::string& memory_name = "DRAM",
                                       const std::string& reported_by = "hwloc");

// The levels of a one-thread curve: its plateaus, named. Where a step past memory multiplies
// its latency more than address translation can (x3: a page walk costs a memory access or
// two), a cache was cut in two pieces (a noisy transition looks like a short plateau) and the
// next cache taken for memory: the curve is cut into one piece fewer, until it is not so.
std::vector<DetectedLevel> detect_levels(const std::vector<CurvePoint>& curve,
                                         const std::vector<CacheInfo>& caches,
                                         const std::string& memory_name = "DRAM",
                                         const std::string& reported_by = "hwloc");

}  // namespace memwall::harness
