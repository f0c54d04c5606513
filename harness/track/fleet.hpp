// memwall fleet: which of N nodes is not like the others. Each node's headline metrics (those
// the gate judges: each level's bandwidth and latency, each peak, the ridges, every link) against
// the fleet's median, with the gate's robust statistics (median and MAD over the nodes), so one
// node with a DIMM channel down, a throttled GPU or a NIC at half width stands out while the
// ordinary node-to-node spread does not.
#pragma once
#include <map>
#include <string>
#include <vector>

#include "harness/track/gate.hpp"

namespace memwall::harness {

struct FleetNode {
  std::string name;    // its host, or its folder where hosts repeat
  std::string source;  // the profile or folder it came from
  std::string kind;    // what kind of machine: CPU model and devices
  std::string failed;  // why it has no result (no profile, a run that failed); empty: fine
  int failed_benchmarks = 0;
  std::map<std::string, Headline> metrics;
};

struct FleetOptions {
  double threshold = 0.10;  // a node must differ by at least this (relative) ...
  double k = 4;             // ... and by k robust standard deviations of the fleet
  double floor = 0.02;      // the fleet's spread assumed at least this (relative)
};

struct FleetMetric {
  std::string name;
  bool higher_is_better = true;
  double median = 0, spread = 0;  // spread: 1.4826 MAD / |median|, at least the floor
  std::vector<double> values;     // per node; NaN where the node lacks it
  std::vector<double> deviation;  // (value - median) / median
  std::vector<bool> outlier;
  // Per node: what loaded its run while this was measured; such a node is not an outlier on it
  // (the load, not the hardware).
  std::vector<std::string> loaded;
};

struct FleetResult {
  std::vector<FleetNode> nodes;
  std::vector<FleetMetric> metrics;  // those at least three nodes have
  std::vector<int> outliers;         // per node
  int outlier_nodes = 0, failed_nodes = 0;
  std::vector<int> loaded;  // per node: metrics measured under load
};

// A node from a profile.json or a results folder (folder/profile.json); a folder without a
// profile is a node whose run failed. InputError for a path that is neither.
FleetNode load_fleet_node(const std::string& path);
// Names repeated hosts by their folders; InputError for fewer than three usable nodes or nodes
// of different kinds (it says which are which).
FleetResult fleet(std::vector<FleetNode> nodes, const FleetOptions& options);
// A person's table (markdown): one line per node, then every metric with each node's deviation.
std::string fleet_table(const FleetResult& result, const FleetOptions& options);
// How much worse than the fleet's median a node is on a metric, in percent (NaN: not measured).
double worse_percent(const FleetMetric& metric, size_t node);
std::string fleet_json(const FleetResult& result);

}  // namespace memwall::harness
