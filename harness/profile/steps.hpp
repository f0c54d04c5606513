// The pipeline's steps (pipeline.hpp runs them in order). Each returns the part of the profile
// it owns, from the inputs and the parts the steps before it returned.
#pragma once
#include <map>
#include <string>
#include <vector>

#include "harness/profile/levels.hpp"
#include "harness/profile/model.hpp"
#include "harness/profile/pipeline.hpp"

namespace memwall::harness {

using ComputeByFormat = std::map<std::string, Compute>;

// Devices: each CPU and GPU the files measured, with its identity, context, reported caches
// and datasheet; the host's context (what every device shares).
PerDevice<Device> devices_step(const ProfileInputs& in);
std::vector<ContextItem> host_context(const ProfileInputs& in);
// The caches a device reports (hwloc for the CPU, the CUDA device for a GPU).
std::vector<CacheLevel> reported_caches(const ProfileInputs& in, const std::string& device);

// Levels: each device's levels from its curves, then beside its datasheet and configuration.
PerDevice<LevelAnalysis> levels_step(const ProfileInputs& in, const PerDevice<Device>& devices);
PerDevice<std::vector<Level>> memory_step(const PerDevice<LevelAnalysis>& analyses,
                                          const PerDevice<Device>& devices);
// The curves and tables the plots and the memory section draw.
PerDevice<Curves> curves_step(const ProfileInputs& in, const PerDevice<Device>& devices,
                              const PerDevice<LevelAnalysis>& analyses);

PerDevice<ComputeByFormat> compute_step(const ProfileInputs& in, const PerDevice<Device>& devices);

Links links_step(const ProfileInputs& in, const PerDevice<Device>& devices);
// Each memory node of a NUMA matrix from its nearest cores, against the median node.
std::vector<NumaNode> numa_nodes(const std::vector<NumaCell>& cells);

PerDevice<Ratios> ratios_step(const PerDevice<Device>& devices,
                              const PerDevice<std::vector<Level>>& memory,
                              const PerDevice<ComputeByFormat>& compute, const Links& links);

Transformer products_step(const ProfileInputs& in, const PerDevice<LevelAnalysis>& analyses,
                          const PerDevice<std::vector<Level>>& memory,
                          const PerDevice<ComputeByFormat>& compute);

PerDevice<Energy> energy_step(const ProfileInputs& in, const PerDevice<Device>& devices,
                              const PerDevice<std::vector<Level>>& memory);

Trend trend_step(const ProfileInputs& in, const PerDevice<Device>& devices,
                 const PerDevice<Ratios>& ratios);

// Storage (bench_io): its device, its benchmarks as rows, the storage level that ends the
// CPU's hierarchy (with its points on the CPU's curves), and each catalog model's load time.
bool has_storage(const ProfileInputs& in);
Device storage_device(const ProfileInputs& in);
std::vector<StorageRow> storage_rows(const ProfileInputs& in);
void add_storage_level(const ProfileInputs& in, const std::vector<StorageRow>& rows,
                       PerDevice<std::vector<Level>>& memory, PerDevice<Curves>& curves);
std::vector<ModelLoad> model_loads(const PerDevice<std::vector<Level>>& memory);

// Each memory node's bandwidth-latency curves, one per read/write mix, with the idle latency,
// the maximum bandwidth and the knee (where latency reaches twice idle).
std::vector<LoadedCurve> loaded_curves_step(const ProfileInputs& in,
                                            const PerDevice<std::vector<Level>>& memory);

// The run's state: the settings that move a figure, and each benchmark measured under load.
RunState run_state_step(const ProfileInputs& in);
// What loaded the run while a benchmark ran (its state_* counters), empty when nothing did.
std::string loaded_why(const Measurement& m);
// A verdict on each headline figure, with the references of `all` it places beside them
// (appended to `used`, which the verdicts index).
std::vector<Verdict> verdicts_step(const ProfileInputs& in, const Profile& p,
                                   const std::vector<Reference>& all, std::vector<Reference>& used);

Provenance provenance_step(const ProfileInputs& in, const PerDevice<LevelAnalysis>& analyses);

}  // namespace memwall::harness
