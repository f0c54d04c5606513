// memwall fleet, and the fleet view memwall run --each-node ends with.
#pragma once
#include <string>
#include <vector>

#include "harness/track/fleet.hpp"

namespace memwall::harness {

// Prints the fleet table and each failed node, and writes fleet.md, fleet.json and fleet.svg
// into `out_dir` (none where it is empty).
FleetResult show_fleet(const std::vector<FleetNode>& nodes, const FleetOptions& options,
                       const std::string& out_dir);

}  // namespace memwall::harness
