// What the human-readable report says, as one Document (harness/document.hpp) that the Markdown
// and HTML writers both render. The first screen answers "what are this machine's walls"; the
// details, each with its figure beside its table, follow.
#pragma once
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "harness/document.hpp"
#include "harness/profile.hpp"

namespace memwall::harness {

struct ReportFigures {
  std::vector<std::pair<std::string, std::string>> rooflines;  // file, caption
  std::vector<std::pair<std::string, std::string>> memory;     // per device: bandwidth, latency
  std::string trend;
  std::vector<std::string> trend_notes;  // devices not placed, and why
  std::vector<std::pair<std::string, std::string>> interconnect;
};

Document report_document(const ProfileInputs& in, const nlohmann::json& profile,
                         const ReportFigures& figures, const std::vector<std::string>& data_files);

// Numbers as the report prints them (right-aligned in tables).
std::string fixed(double v, int decimals);

}  // namespace memwall::harness
