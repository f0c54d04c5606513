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

// What a device's levels are called and how its curves read; which benchmarks make the curves
// and which kernels quote each level come from the roles its families declared (core/roles.hpp).
struct CurveSpec {
  std::string device = "cpu";
  // From the device's bandwidth_curve declaration: the bandwidth of a cache level, of memory as
  // the field quotes it (STREAM's triad, BabelStream's copy), and the kernel shown beside it.
  std::string cache_kernel, memory_kernel, memory_beside_kernel;
  std::string memory_name = "DRAM";
  std::string level_prefix;  // "GPU_" for a GPU's caches
  std::string caches_reported_by = "hwloc";
  // The bandwidth kernels run on every instance of a private cache (a GPU's kernels on all its
  // SMs), so a level's interval on the bandwidth curve is its size times its instances.
  bool bandwidth_on_every_instance = false;
  // Levels whose bandwidth comes from a benchmark of their own, not from the curve (a GPU's L2:
  // plain loads at those sizes are served by the L1s): level -> the family declaring it.
  std::map<std::string, std::string> level_bandwidth_family;
  // Threads of the read curve that gives each cache's streaming edge (segments.hpp
  // falling_edge); 0: none (a GPU's kernels always run on every SM).
  int stream_edge_threads = 1;
  // Why a cache's edge can fall short of its size on this kind of device, for the report: per
  // level name ("L2"), "" for any other level.
  std::map<std::string, std::string> short_edge_reasons = {
      {"", "a virtual machine's share, other tenants, or the prefetchers' neighbour lines"}};
};

// The kind's names (a GPU's levels GPU_L1, GPU_L2, HBM) with the kernels and own-bandwidth
// levels the device's families declared in these files.
CurveSpec cpu_curve_spec(const std::vector<ResultFile>& files);
CurveSpec gpu_curve_spec(const std::vector<ResultFile>& files, const std::string& device);

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
// doubling of the working set (and by kRampTotal in all) is a ramp, not a plateau.
constexpr double kRampPerDoubling = 1.25;
constexpr double kRampTotal = 1.5;

}  // namespace memwall::harness
