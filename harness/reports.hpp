// Every report of a run, written into one folder: profile.json, summary.md, metrics.csv,
// report.tex, the SVG (and PNG) plots and report.html. Each writer takes the profile (and the
// curves) and returns text, so tests can pin its output; write_reports puts them on disk.
#pragma once
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "harness/levels_report.hpp"
#include "harness/result_file.hpp"

namespace memwall::harness {

std::string metrics_csv(const nlohmann::json& profile);
std::string profile_csv(const nlohmann::json& profile);
std::string latex_tables(const nlohmann::json& profile);
std::string bandwidth_svg(const std::vector<ResultFile>& files, const LevelReport& levels);
std::string latency_svg(const std::vector<ResultFile>& files, const LevelReport& levels);
std::string roofline_svg(const nlohmann::json& profile);
std::string trend_svg(const nlohmann::json& profile, const std::string& datasheet_csv);
std::string html_page(const std::string& markdown, const std::vector<std::string>& svgs);

// Writes them all into `dir` atomically; returns the names written. PNGs are made with
// rsvg-convert where it is installed (said once on stderr where it is not).
std::vector<std::string> write_reports(const std::filesystem::path& dir,
                                       const std::vector<ResultFile>& files,
                                       const LevelReport& levels, const nlohmann::json& profile,
                                       const std::vector<std::string>& notes,
                                       const std::string& datasheet_csv);

// The folder of the reference data (datasheet_specs.csv): $MEMWALL_DATA or the source tree's.
std::string data_dir();

}  // namespace memwall::harness
