// The Markdown summary a person reads first.
#pragma once
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "harness/levels_report.hpp"
#include "harness/result_file.hpp"

namespace memwall::harness {

std::string summary_markdown(const std::vector<ResultFile>& files, const LevelReport& levels,
                             const nlohmann::json& profile, const std::vector<std::string>& notes);

// Writes to a temporary name in the same folder and renames, so a reader never sees half.
void write_file_atomically(const std::filesystem::path& path, const std::string& text);

}  // namespace memwall::harness
