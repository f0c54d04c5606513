// The published datasheet row of a device, by its name: a row of data/datasheet_specs.csv whose
// name appears in the device's, or one an alias in data/device_aliases.csv maps the device's
// name (or its microarchitecture) to: CUDA calls an H100 SXM5 "NVIDIA H100 80GB HBM3"; a guest
// that names itself "AMD EPYC" is placed by its generation's part (alias use "generation").
#pragma once
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace memwall::harness {

using DatasheetRow = std::map<std::string, std::string>;
struct DatasheetMatch {
  DatasheetRow row;
  std::string match;  // "model": the device itself; "generation": a part of its generation
};
// The first of `names` (the device's name, then its microarchitecture) that matches.
std::optional<DatasheetMatch> datasheet_row(const std::vector<std::string>& names,
                                            const std::string& data_dir);
// A numeric field of a row; NaN where it is empty or not a number.
double datasheet_number(const DatasheetRow& row, const std::string& key);

}  // namespace memwall::harness
