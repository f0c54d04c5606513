// Every report of a run, written into one folder: profile.json, summary.md and report.html (one
// document, two writers), metrics.csv and profile.csv, report.tex, the SVG figures (and PNGs
// where rsvg-convert is installed). Each writer returns text, so tests pin its output.
#pragma once
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "harness/profile.hpp"

namespace memwall::harness {

std::string metrics_csv(const nlohmann::json& profile);
std::string profile_csv(const nlohmann::json& profile);

struct ReportOptions {
  bool tex_wide = false;  // report.tex tables across both columns (table*)
  bool png = true;        // PNG copies of the figures, where rsvg-convert exists
};

// Writes them all into `dir` atomically; returns the names written.
std::vector<std::string> write_reports(const std::filesystem::path& dir, const ProfileInputs& in,
                                       const nlohmann::json& profile,
                                       const ReportOptions& options = {});

// Writes to a temporary name in the same folder and renames, so a reader never sees half.
void write_file_atomically(const std::filesystem::path& path, const std::string& text);

// The folder of the reference data (datasheet_specs.csv): $MEMWALL_DATA or the source tree's.
std::string data_dir();

}  // namespace memwall::harness
