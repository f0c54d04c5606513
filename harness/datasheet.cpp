#include "harness/datasheet.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "harness/csv.hpp"

namespace memwall::harness {

namespace {
std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), ::tolower);
  return s;
}
}  // namespace

std::optional<DatasheetRow> datasheet_row(const std::string& device_name,
                                          const std::string& data_dir) {
  namespace fs = std::filesystem;
  const std::string name = lower(device_name);
  if (name.empty()) return std::nullopt;
  const auto rows = read_csv_rows((fs::path(data_dir) / "datasheet_specs.csv").string());
  std::string wanted;
  const fs::path aliases = fs::path(data_dir) / "device_aliases.csv";
  if (fs::exists(aliases))
    for (auto& a : read_csv_rows(aliases.string()))
      if (!a["alias"].empty() && name.find(lower(a["alias"])) != std::string::npos)
        wanted = a["datasheet_name"];
  for (const auto& row : rows) {
    const std::string row_name = row.count("name") ? row.at("name") : "";
    if (row_name.empty()) continue;
    if (row_name == wanted || name.find(lower(row_name)) != std::string::npos) return row;
  }
  return std::nullopt;
}

double datasheet_number(const DatasheetRow& row, const std::string& key) {
  const auto it = row.find(key);
  if (it == row.end() || it->second.empty()) return NAN;
  try {
    return std::stod(it->second);
  } catch (const std::exception&) {
    return NAN;
  }
}

}  // namespace memwall::harness
