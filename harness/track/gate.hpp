// memwall gate: a CI gate that holds on noisy machines. A new profile is judged against the same
// machine's earlier runs in the history, metric by metric, by the spread *between* those runs
// (median and MAD over runs), not by the repetitions inside one run, which on a shared machine
// are tight while the runs themselves drift by tens of percent. By default only the headline
// metrics count: each level's bandwidth and latency, each peak, the ridge points of the walls'
// format, the interconnect.
#pragma once
#include <map>
#include <string>
#include <vector>

#include "harness/profile/model.hpp"

namespace memwall::harness {

struct Headline {
  double value = 0;
  bool higher_is_better = true;
  std::string loaded;  // what loaded the run while it was measured (the profile's verdicts)
};
// The headline metrics of a profile, by name ("memory/cpu/DRAM/bandwidth_GBps", ...): each
// level's bandwidth and latency, each peak, the ridge points of the walls' format, every link,
// and the median of every benchmark whose counter the schema marks headline (IOPS, ...).
std::map<std::string, Headline> headline_metrics(const Profile& profile);
// Every benchmark's median, for --all.
std::map<std::string, Headline> all_metrics(const Profile& profile);

struct GateOptions {
  double threshold = 0.15;  // a change must be at least this (relative) ...
  double k = 4;             // ... and at least k robust standard deviations of the baseline
  double floor = 0.02;      // the spread assumed at least this (relative): 5 runs can agree
  int min_runs = 5;         // baseline runs needed; fewer is bad input (exit 2)
  bool all = false;
};

struct GateRow {
  std::string name;
  double baseline = 0, spread = 0, value = 0, change = 0;  // change signed: negative is worse
  int runs = 0;
  // regression, improvement, ok, new (no baseline), or loaded: worse, but measured while
  // another process or the hypervisor took the machine: the load, not the hardware
  Change verdict = Change::unset;  // new, regression, improvement, ok, loaded
  std::string loaded;              // what loaded it
};

struct GateResult {
  std::vector<GateRow> rows;
  int regressions = 0, improvements = 0, checked = 0, loaded = 0;
};

GateResult gate(const Profile& profile, const std::vector<Profile>& baseline,
                const GateOptions& options);
std::string gate_table(const GateResult& result, const GateOptions& options, bool all_rows);

// The profiles of the same machine in the history (oldest first), without `exclude_sha256`.
std::vector<Profile> history_profiles(const std::string& db, const Profile& profile,
                                      const std::string& exclude_sha256);
// The key runs of one machine share in the history.
std::string machine_key(const Profile& profile);

}  // namespace memwall::harness
