// What the track/ commands return, drawn for a person: cli/ renders, track/ only computes.
#pragma once
#include <string>

#include "harness/report/svg.hpp"
#include "harness/track/fleet.hpp"
#include "harness/track/history.hpp"

namespace memwall::harness {

// Nodes x metrics, each cell the node's deviation from the fleet's median in percent.
HeatMap fleet_heat_map(const FleetResult& result);
// One line per run: machine, date, counter, best and median.
std::string history_text(const MetricHistory& history);
// The metric's best per run of each machine, in date order.
std::string history_svg(const MetricHistory& history);

}  // namespace memwall::harness
