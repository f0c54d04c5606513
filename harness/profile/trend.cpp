// The trend step: the paper's hardware-scaling series (data/memory_wall_hw_figure_points.csv,
// each relative to its first device) and where each measured device falls on them, at its
// datasheet row's release year: its peak, memory and link walls converted into the figure's
// units by the calibration in data/trend_calibration.csv.
#include <cmath>
#include <filesystem>
#include <map>

#include "harness/profile/csv.hpp"
#include "harness/profile/steps.hpp"

namespace memwall::harness {

namespace {

double year_of(const std::string& date) {
  try {
    return std::stod(date.substr(0, 4)) + (std::stod(date.substr(5, 2)) - 1) / 12.0 +
           (std::stod(date.substr(8, 2)) - 1) / 365.0;
  } catch (const std::exception&) {
    return NAN;
  }
}

double cell(std::map<std::string, std::string>& row, const std::string& key) {
  try {
    return std::stod(row[key]);
  } catch (const std::exception&) {
    return NAN;
  }
}

}  // namespace

Trend trend_step(const ProfileInputs& in, const PerDevice<Device>& devices,
                 const PerDevice<Ratios>& ratios) {
  Trend t;
  if (in.data_dir.empty()) return t;
  namespace fs = std::filesystem;
  const fs::path dir(in.data_dir);
  struct Quantity {
    const char* key;
    const char* name;
    double rate;  // per two years, as the paper prints it
  };
  const Quantity quantities[] = {{"peak_flops", "peak FLOP/s", 3.0},
                                 {"dram_bw", "DRAM/HBM bandwidth", 1.6},
                                 {"interconnect_bw", "interconnect bandwidth", 1.4}};
  std::map<std::string, std::vector<TrendPoint>> data;
  for (auto& row : read_csv_rows((dir / "memory_wall_hw_figure_points.csv").string())) {
    const double year = year_of(row["date"]), v = cell(row, "value");
    if (std::isfinite(year) && std::isfinite(v))
      data[row["series"]].push_back({year, v, row["label"]});
  }
  for (const Quantity& q : quantities)
    if (!data[q.key].empty()) t.series.push_back({q.key, q.name, q.rate, data[q.key]});
  // Figure units per absolute unit, from the points that name a device with a datasheet row.
  std::map<std::string, std::map<std::string, std::string>> datasheet;
  for (auto& row : read_csv_rows((dir / "datasheet_specs.csv").string()))
    datasheet[row["name"]] = row;
  std::map<std::string, std::vector<double>> per_unit;
  for (auto& row : read_csv_rows((dir / "trend_calibration.csv").string())) {
    auto ds = datasheet.find(row["datasheet_name"]);
    if (ds == datasheet.end()) continue;
    double absolute = cell(ds->second, row["datasheet_column"]);
    if (row["datasheet_column"].find("tflops") != std::string::npos) absolute *= 1e3;  // GFLOP/s
    for (const TrendPoint& p : data[row["series"]])
      if (p.label == row["label"] && absolute > 0)
        per_unit[row["series"]].push_back(absolute / p.value);
  }
  auto unit = [&](const std::string& series) {
    if (series == "interconnect_bw") return 4.0;  // PCIe 1.0a x16, one direction, GB/s
    const auto& v = per_unit[series];
    double sum = 0;
    for (double x : v) sum += x;
    return v.empty() ? NAN : sum / static_cast<double>(v.size());
  };
  for (const auto& [id, d] : devices) {
    if (d.kind == DeviceKind::storage) continue;  // the paper's trend has no storage series
    TrendPlacement p;
    p.device = id;
    p.name = d.name;
    if (d.datasheet.name.empty() || d.datasheet.year.empty()) {
      p.why_not = "its model has no release year in data/datasheet_specs.csv" +
                  std::string(d.virtual_machine ? " (a virtual machine's name)" : "");
      t.devices.push_back(p);
      continue;
    }
    p.datasheet = d.datasheet.name + (d.datasheet.match == "generation" ? " (its generation)" : "");
    p.year = std::stod(d.datasheet.year) + 0.5;
    const auto r = ratios.find(id);
    if (r != ratios.end()) {
      const Walls& w = r->second.walls;
      if (w.compute_GFLOPps > 0 && std::isfinite(unit("peak_flops")))
        p.compute = w.compute_GFLOPps / unit("peak_flops");
      if (w.memory_GBps > 0 && std::isfinite(unit("dram_bw")))
        p.memory = w.memory_GBps / unit("dram_bw");
      if (w.link_GBps > 0) {
        p.link = w.link_GBps / unit("interconnect_bw");
        p.link_name = w.link;
      }
    }
    t.devices.push_back(p);
  }
  return t;
}

}  // namespace memwall::harness
