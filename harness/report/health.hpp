// "Is this machine healthy?": the verdicts of the profile (harness/profile/verdicts.cpp) as
// the report shows them, with the reference machines, the run's state, and the command that
// reproduces the run.
#pragma once
#include <string>

#include "harness/profile/model.hpp"
#include "harness/report/document.hpp"
#include "harness/report/plots.hpp"

namespace memwall::harness {

void health_section(Document& doc, const Profile& p);
// Latency under load: each node's idle latency, maximum bandwidth and knee per mix, and its
// curves (the figures of section "loaded").
// One line for the first screen: how many figures are OK, the first that is not.
std::string health_line(const Profile& p);
// "Made by `memwall run ...`.": the command that made the run, as the result files recorded it.
std::string reproduce_line(const Profile& p);

}  // namespace memwall::harness
