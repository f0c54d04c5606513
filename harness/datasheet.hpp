// The published datasheet row of a device, by its name: a row of data/datasheet_specs.csv whose
// name appears in the device's, or one an alias in data/device_aliases.csv maps the device's
// name to (CUDA calls an H100 SXM5 "NVIDIA H100 80GB HBM3").
#pragma once
#include <map>
#include <optional>
#include <string>

namespace memwall::harness {

using DatasheetRow = std::map<std::string, std::string>;
std::optional<DatasheetRow> datasheet_row(const std::string& device_name,
                                          const std::string& data_dir);
// A numeric field of a row; NaN where it is empty or not a number.
double datasheet_number(const DatasheetRow& row, const std::string& key);

}  // namespace memwall::harness
