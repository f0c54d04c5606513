// The name of a headline metric ("memory/cpu/DRAM/bandwidth_GBps"), as the verdicts, gate,
// fleet, compare and history know it. Every key is built here, by what it measures, and never
// split apart again: a reader that needs a related metric builds that one's key.
#pragma once
#include <string>

namespace memwall::harness {

struct MetricKey {
  std::string text;
  bool operator<(const MetricKey& o) const { return text < o.text; }
  bool operator==(const MetricKey& o) const { return text == o.text; }
};

namespace metric_key {

// A memory level's bandwidth_GBps or latency_ns.
MetricKey level(const std::string& device, const std::string& level, const std::string& quantity);
// A number format's peak (peak_GFLOPps), or its library GEMM's beside the chains (gemm_GFLOPps).
MetricKey compute(const std::string& device, const std::string& type, const std::string& quantity);
// The ridge point of a level in a format (FLOP per byte).
MetricKey ridge(const std::string& device, const std::string& level, const std::string& type);
// A loaded-latency curve's max_GBps or knee_GBps, per memory node and mix.
MetricKey loaded(const std::string& device, int node, const std::string& mix,
                 const std::string& quantity);
// A device's host link (its name, memory and engine) bandwidth_GBps or latency_ns.
MetricKey host_link(const std::string& device, const std::string& name, const std::string& memory,
                    const std::string& engine, const std::string& quantity);
// The slowest GPU pair of an engine and direction ("ce/uni").
MetricKey slowest_peer(const std::string& engine_direction);
// A collective's bus bandwidth: by library, name and in place (and ranks, where the library
// runs one rank a device: the count is part of what was measured).
MetricKey collective(const std::string& library, const std::string& name,
                     const std::string& inplace, int ranks, bool ranks_in_key);
// MPI point-to-point latency_ns or bw_GBps by placement (same_node, other_node).
MetricKey point_to_point(const std::string& placement, const std::string& quantity);
// Core-to-core latency by what the two cores share.
MetricKey core_pairs(const std::string& shared);
// A benchmark's counter that its schema marks headline (IOPS, ...).
MetricKey benchmark(const std::string& name, const std::string& counter);

}  // namespace metric_key

}  // namespace memwall::harness
