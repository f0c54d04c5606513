// report.tex: booktabs tables for a paper, \input-able into a two-column article: the memory
// hierarchy and peak compute of each device in one column each (or, wide, one table* across
// both), the interconnect, labelled, in hierarchy order, units in the headings, the device and
// its kernels in the captions, medians beside the bests, and a methods paragraph to paste.
#pragma once
#include <string>

#include "harness/profile/model.hpp"

namespace memwall::harness {

std::string latex_tables(const Profile& p, bool wide = false);
std::string latex_escape(const std::string& text);

}  // namespace memwall::harness
