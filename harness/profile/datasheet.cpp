#include "harness/profile/datasheet.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "harness/profile/csv.hpp"

namespace memwall::harness {

namespace {
std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), ::tolower);
  return s;
}
}  // namespace

std::optional<DatasheetMatch> datasheet_row(const std::vector<std::string>& names,
                                            const std::string& data_dir) {
  namespace fs = std::filesystem;
  const auto rows = read_csv_rows((fs::path(data_dir) / "datasheet_specs.csv").string());
  auto aliases = read_csv_rows((fs::path(data_dir) / "device_aliases.csv").string());
  for (const std::string& device_name : names) {
    const std::string name = lower(device_name);
    if (name.empty()) continue;
    std::string wanted, use = "model";
    for (auto& a : aliases)
      if (!a["alias"].empty() && name.find(lower(a["alias"])) != std::string::npos) {
        wanted = a["datasheet_name"];
        use = a["use"].empty() ? "model" : a["use"];
      }
    for (const auto& row : rows) {
      const std::string row_name = row.count("name") ? row.at("name") : "";
      if (row_name.empty()) continue;
      if (row_name == wanted) return DatasheetMatch{row, use};
      if (name.find(lower(row_name)) != std::string::npos) return DatasheetMatch{row, "model"};
    }
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
