// Cache levels found in the measured curves, beside what hwloc reported.
#pragma once
#include <string>
#include <vector>

#include "core/levels.hpp"
#include "core/topology.hpp"
#include "harness/result_file.hpp"

namespace memwall::harness {

struct LevelCurve {
  std::string source;              // which benchmarks the curve comes from
  std::vector<CurvePoint> points;  // working-set bytes -> best value
  std::vector<DetectedLevel> levels;
};

struct LevelReport {
  LevelCurve latency;    // cpu.lat/chase, huge pages (one thread)
  LevelCurve bandwidth;  // cpu.bw/read, huge pages, most threads
  int bandwidth_threads = 0;
  std::vector<CacheLevel> hwloc;  // from the result files' context
};

LevelReport detect_levels(const std::vector<ResultFile>& files);
std::string levels_markdown(const LevelReport& report);

}  // namespace memwall::harness
