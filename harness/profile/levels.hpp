// The memory levels of one device found in its measured curves: the levels come from the
// one-thread latency curve (harness/profile/segments.hpp), and each level's bandwidth is one
// named kernel's median over the interior of the same size interval on the bandwidth curve
// (scaled by the cache instances the threads use), never found by segmenting the bandwidth
// curve again. A level whose bandwidth curve has no plateau over its interval gets none.
#pragma once
#include <map>
#include <string>
#include <vector>

#include "core/topology.hpp"
#include "harness/profile/model.hpp"
#include "harness/profile/result_file.hpp"
#include "harness/profile/segments.hpp"

namespace memwall::harness {

// Which benchmarks make a device's curves, and what its levels are called.
struct CurveSpec {
  std::string device = "cpu";
  std::string latency_family = "cpu.lat", latency_variant = "chase";
  std::map<std::string, std::string> latency_keys;  // e.g. load:ca for the GPU's L1 curve
  std::string bandwidth_family = "cpu.bw";
  std::string cache_kernel = "read";    // the bandwidth of a cache level
  std::string memory_kernel = "triad";  // the bandwidth of memory, as STREAM users quote it
  std::string memory_beside_kernel = "triad_nt";
  std::string memory_name = "DRAM";
  std::string level_prefix;  // "GPU_" for a GPU's caches
  std::string caches_reported_by = "hwloc";
  // The bandwidth kernels run on every instance of a private cache (a GPU's kernels on all its
  // SMs), so a level's interval on the bandwidth curve is its size times its instances.
  bool bandwidth_on_every_instance = false;
  // Levels whose bandwidth comes from a benchmark of their own, not from the curve (a GPU's L2:
  // plain loads at those sizes are served by the L1s, which on Hopper hold half as much).
  std::map<std::string, std::string> level_bandwidth_family;
  // Threads of the read curve that gives each cache's streaming edge (segments.hpp
  // falling_edge); 0: none (a GPU's kernels always run on every SM).
  int stream_edge_threads = 1;
  // Why a cache's edge can fall short of its size on this kind of device, for the report: per
  // level name ("L2"), "" for any other level.
  std::map<std::string, std::string> short_edge_reasons = {
      {"", "a virtual machine's share, other tenants, or the prefetchers' neighbour lines"}};
};

CurveSpec cpu_curve_spec();
// A GPU's curves: the L1-cached (ld.ca) chase, read for caches, copy for its memory as
// BabelStream quotes it (triad beside), levels named GPU_L1, GPU_L2, HBM; GPU_L2's bandwidth
// from gpu.l2 (loads through the L2 alone).
CurveSpec gpu_curve_spec(const std::string& device);

struct LevelAnalysis {
  CurveSpec spec;
  std::vector<CurvePoint> latency;  // one thread, huge pages, against lines touched
  int bandwidth_threads = 0;
  std::vector<Level> levels;
  std::vector<CurvePoint> read_curve;  // the cache kernel at bandwidth_threads
  std::vector<std::string> warnings;   // huge pages not granted, threads not pinned
};

LevelAnalysis analyse_levels(const std::vector<ResultFile>& files, const CurveSpec& spec,
                             const std::vector<CacheLevel>& caches);

// Over a level's interval, a bandwidth curve that rises or falls by more than this per
// doubling of the working set (and by x1.5 in all) is a ramp, not a plateau.
constexpr double kRampPerDoubling = 1.25;

}  // namespace memwall::harness
