#include "harness/profile/references.hpp"

#include <algorithm>
#include <fstream>
#include <map>
#include <regex>

#include "harness/profile/csv.hpp"
#include "harness/profile/input_error.hpp"

namespace memwall::harness {

namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), ::tolower);
  return s;
}

std::string vendor_of(const std::string& name) {
  const std::string n = lower(name);
  for (const char* v : {"amd", "intel", "nvidia", "ampere", "arm"})
    if (n.find(v) != std::string::npos) return v;
  return "";
}

}  // namespace

const std::vector<std::string>& reference_columns() {
  static const std::vector<std::string> columns = {"machine", "kind",  "uarch", "figure", "value",
                                                   "unit",    "cores", "scope", "method", "source"};
  return columns;
}

std::vector<Reference> load_references(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw InputError(path + ": cannot read the references file");
  std::string line;
  if (!std::getline(in, line)) throw InputError(path + ": empty, not a references file");
  const std::vector<std::string> header = split_csv_line(line);
  std::map<std::string, size_t> at;
  for (size_t i = 0; i < header.size(); ++i) at[header[i]] = i;
  for (const std::string& c : reference_columns())
    if (!at.count(c))
      throw InputError(path + ": no column '" + c + "' (a references file has the columns " +
                       "machine,kind,uarch,figure,value,unit,cores,scope,method,source)");
  static const std::regex number(R"([0-9]+(\.[0-9]+)?)"),
      range(R"(([0-9]+(\.[0-9]+)?)-([0-9]+(\.[0-9]+)?))"), whole(R"([0-9]*)");
  std::vector<Reference> out;
  for (int n = 2; std::getline(in, line); ++n) {
    if (line.empty() || line == "\r") continue;
    const std::vector<std::string> cells = split_csv_line(line);
    auto cell = [&](const std::string& c) {
      return at.at(c) < cells.size() ? cells[at.at(c)] : std::string();
    };
    const std::string where = path + " line " + std::to_string(n) + ": ";
    if (cells.size() < header.size())
      throw InputError(where + std::to_string(cells.size()) + " cells where the header has " +
                       std::to_string(header.size()));
    Reference r{cell("machine"),
                cell("kind"),
                cell("uarch"),
                cell("figure"),
                cell("unit"),
                cell("scope"),
                cell("method"),
                cell("source"),
                0,
                0,
                0};
    const std::string value = cell("value");
    std::smatch m;
    if (std::regex_match(value, m, range)) {
      r.low = std::stod(m[1]);
      r.high = std::stod(m[3]);
    } else if (std::regex_match(value, number)) {
      r.low = r.high = std::stod(value);
    } else {
      throw InputError(where + "value '" + value + "' is not a number or LOW-HIGH");
    }
    if (r.high < r.low) throw InputError(where + "value '" + value + "' runs from high to low");
    if (!std::regex_match(cell("cores"), whole))
      throw InputError(where + "cores '" + cell("cores") + "' is not a whole number");
    r.cores = cell("cores").empty() ? 0 : std::stoi(cell("cores"));
    if (r.machine.empty() || r.figure.empty() || r.source.empty())
      throw InputError(where + "a reference needs its machine, figure and source");
    out.push_back(r);
  }
  return out;
}

std::vector<int> nearest_references(const std::vector<Reference>& all, const std::string& figure,
                                    const Device& device, size_t count) {
  const std::string name = lower(device.name), uarch = lower(device.uarch);
  const std::string vendor = vendor_of(device.name);
  std::vector<std::pair<int, int>> ranked;  // (closeness, row)
  for (size_t i = 0; i < all.size(); ++i) {
    const Reference& r = all[i];
    if (r.figure != figure) continue;
    const std::string machine = lower(r.machine);
    // The model's own name in the reference's (GPUs name themselves fully), else the family.
    int closeness = 3;
    if (!name.empty() && name.size() > 4 && machine.find(name) != std::string::npos)
      closeness = 0;
    else if (!uarch.empty() && lower(r.uarch) == uarch)
      closeness = 1;
    else if (!vendor.empty() && vendor_of(r.machine) == vendor)
      closeness = 2;
    ranked.push_back({closeness, static_cast<int>(i)});
  }
  std::stable_sort(ranked.begin(), ranked.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<int> out;
  for (const auto& [closeness, row] : ranked)
    if (out.size() < count) out.push_back(row);
  return out;
}

}  // namespace memwall::harness
