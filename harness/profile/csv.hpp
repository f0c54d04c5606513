// Reading the reference data's CSV files (quoted cells may hold commas).
#pragma once
#include <map>
#include <string>
#include <vector>

namespace memwall::harness {

std::vector<std::string> split_csv_line(const std::string& line);
// Each row as column name -> cell; empty when the file cannot be read.
std::vector<std::map<std::string, std::string>> read_csv_rows(const std::string& path);

}  // namespace memwall::harness
