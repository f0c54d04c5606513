// Which PMU events count the cache lines a core reads from memory, per CPU: the check of a
// bandwidth kernel's own byte count (hw_GBps) against what the hardware saw. Names are libpfm4's
// (as PAPI takes them); a CPU whose PMU lacks one simply gets the next candidate, and a
// virtual machine without a PMU gets none, which the result's context says.
#pragma once
#include <string>
#include <vector>

#include "core/cpu_id.hpp"

namespace memwall {

struct TrafficEvents {
  std::string counts;               // what one count is, in words ("L1D fills from DRAM ...")
  std::vector<std::string> events;  // summed; each count is one line read from memory
  double bytes_per_count = 64;
};

// The candidates for this CPU, best first; empty where memwall knows none.
std::vector<TrafficEvents> traffic_event_candidates(const CpuId& cpu);

// "--traffic-events A+B" given by the user: one candidate (its events counted as 64-B lines).
TrafficEvents traffic_events_from_list(const std::string& plus_separated);

}  // namespace memwall
