// The memory levels of one device found in its measured curves: the levels come from the
// one-thread latency curve (core/levels.hpp), and each level's bandwidth is one named kernel's
// median over the interior of the same size interval on the bandwidth curve (scaled by the
// cache instances the threads use), never found by segmenting the bandwidth curve again.
#pragma once
#include <map>
#include <string>
#include <vector>

#include "core/levels.hpp"
#include "core/topology.hpp"
#include "harness/result_file.hpp"

namespace memwall::harness {

// Which benchmarks make a device's curves, and what its levels are called.
struct CurveSpec {
  std::string device = "cpu";
  std::string latency_family = "cpu.lat", latency_variant = "chase";
  std::map<std::string, std::string> latency_keys;  // e.g. load:ca for the GPU's L1 curve
  std::string bandwidth_family = "cpu.bw";
  std::string cache_kernel = "read";    // the bandwidth of a cache level
  std::string memory_kernel = "triad";  // the bandwidth of memory, as STREAM users quote it
  std::string memory_nt_kernel = "triad_nt";
  std::string memory_name = "DRAM";
  std::string level_prefix;  // "GPU_" for a GPU's caches
  std::string caches_reported_by = "hwloc";
  // The bandwidth kernels run on every instance of a private cache (a GPU's kernels on all its
  // SMs), so a level's interval on the bandwidth curve is its size times its instances.
  bool bandwidth_on_every_instance = false;
  // Levels whose bandwidth comes from a benchmark of their own, not from the curve (a GPU's L2:
  // plain loads at those sizes are served by the L1s, which on Hopper hold half as much).
  std::map<std::string, std::string> level_bandwidth_family;
  // Threads of the read curve that gives each cache's streaming edge (core/levels.hpp
  // falling_edge); 0: none (a GPU's kernels always run on every SM).
  int stream_edge_threads = 1;
  // Why a cache's edge can fall short of its size on this kind of device, for the report: per
  // level name ("L2"), "" for any other level.
  std::map<std::string, std::string> short_edge_reasons = {
      {"", "a virtual machine's share, other tenants, or the prefetchers' neighbour lines"}};
};

// A GPU's curves: the L1-cached (ld.ca) chase, read for caches, copy for its memory as
// BabelStream quotes it (triad beside), levels named GPU_L1, GPU_L2, HBM; GPU_L2's bandwidth
// from gpu.l2 (loads through the L2 alone).
CurveSpec gpu_curve_spec(const std::string& device);

struct LevelCurve {
  std::string source;  // which benchmarks the curve comes from
  std::string axis;    // what its sizes mean
  std::vector<CurvePoint> points;
  std::vector<DetectedLevel> levels;
};

// One level, as the profile and every report use it.
struct MemoryLevel {
  std::string name, kind;  // L1 / cache, DRAM / memory
  double latency_ns = 0;   // median of the latency plateau
  double latency_best_ns = 0;
  double detected_bytes = 0;     // the latency plateau's edge (lines touched, one thread)
  double stream_edge_bytes = 0;  // where one thread's read bandwidth leaves it (0: no drop)
  int stream_edge_threads = 1;   // more where a shared cache's edge came from all threads
  double hwloc_bytes = 0;        // the matched cache's capacity (one instance)
  bool disagrees = false;
  std::string note;
  // Bandwidth on the interval this level holds, with `threads` threads.
  double bandwidth_GBps = 0;
  std::string bandwidth_kernel;
  double bandwidth_nt_GBps = 0;  // memory only: the non-temporal store kernel
  // Memory only, what a product that only reads can draw: the cache kernel (read) over the same
  // interval, and the traffic the memory kernel moved counting write-allocate (hw_GBps).
  double read_GBps = 0, bandwidth_hw_GBps = 0;
  // Memory only: what the PMU counted read from memory while the cache kernel ran over the same
  // interval (0: not counted); the check of the kernel's own byte count.
  double counted_read_GBps = 0;
  double interval_lo_bytes = 0, interval_hi_bytes = 0;  // working sets used
  int bandwidth_points = 0;
  double capacity_bytes = 0;  // what all threads can hold here (0 for memory)
};

struct LevelReport {
  CurveSpec spec;
  LevelCurve latency;  // one thread, huge pages
  int bandwidth_threads = 0;
  std::vector<MemoryLevel> levels;
  std::vector<CurvePoint> read_curve;  // the cache kernel at bandwidth_threads (working set, GB/s)
  std::vector<CacheLevel> hwloc;
  std::vector<std::string> warnings;  // huge pages not granted, threads not pinned
};

LevelReport detect_levels(const std::vector<ResultFile>& files, const CurveSpec& spec = {});
std::string levels_markdown(const LevelReport& report);

}  // namespace memwall::harness
