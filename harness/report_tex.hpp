// report.tex: booktabs tables for a paper, \input-able into a two-column article: the memory
// hierarchy and peak compute of each device in one column each (or, wide, one table* across
// both), labelled, in hierarchy order, units in the headings, the machine and settings in the
// captions, medians beside the bests, and a methods paragraph to paste.
#pragma once
#include <nlohmann/json.hpp>
#include <string>

namespace memwall::harness {

std::string latex_tables(const nlohmann::json& profile, bool wide = false);
std::string latex_escape(const std::string& text);

}  // namespace memwall::harness
