#include "harness/plots.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>

#include "core/units.hpp"
#include "harness/csv.hpp"
#include "harness/datasheet.hpp"
#include "harness/roofline.hpp"
#include "harness/svg_plot.hpp"

namespace memwall::harness {

using nlohmann::json;

namespace {

std::string fmt(double v, const char* format) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

std::string family_prefix(const std::string& device) {
  return device == "cpu" ? "cpu" : "gpu";
}

// The levels' edges as marks: "L1 48 KiB".
std::vector<std::pair<double, std::string>> edge_marks(const ProfileInputs& in,
                                                       const std::string& device, bool scaled) {
  std::vector<std::pair<double, std::string>> marks;
  if (!in.levels.count(device)) return marks;
  for (const MemoryLevel& l : in.levels.at(device).levels) {
    if (l.kind == "memory") continue;
    const double at = scaled ? l.interval_hi_bytes : l.detected_bytes;
    if (at > 0 && std::isfinite(at))
      marks.push_back({at, l.name + " " + format_bytes(static_cast<uint64_t>(at))});
  }
  return marks;
}

}  // namespace

std::string bandwidth_svg(const ProfileInputs& in, const std::string& device) {
  Plot p;
  const int threads = in.levels.count(device) ? in.levels.at(device).bandwidth_threads : 0;
  const bool every_sm =
      in.levels.count(device) && in.levels.at(device).spec.bandwidth_on_every_instance;
  p.title = "Bandwidth against working set (" +
            (every_sm ? std::string("all SMs") : std::to_string(threads) + " threads") + ", " +
            device + ")";
  p.x_label = "working set (all arrays)";
  p.y_label = "GB/s (STREAM bytes; 1 GB = 1e9 bytes)";
  p.x_bytes = true;
  std::map<std::string, Series> by_kernel;
  for (const ResultFile& f : in.files)
    for (const Measurement& m : f.measurements) {
      if (m.family != family_prefix(device) + ".bw" || !m.has("GBps") || device_of(m) != device)
        continue;
      if (threads && m.key_number("threads", 1) != threads) continue;
      const std::string key = m.variant + (m.keys.count("pages") ? " " + m.keys.at("pages") : "");
      const double ws =
          m.has("working_set_bytes") ? m.median("working_set_bytes") : m.key_number("bytes");
      by_kernel[key].name = key;
      by_kernel[key].points.push_back({ws, m.best("GBps")});
    }
  for (auto& [key, s] : by_kernel) {
    std::sort(s.points.begin(), s.points.end());
    p.series.push_back(s);
  }
  p.x_marks = edge_marks(in, device, true);
  return render_svg(p);
}

std::string latency_svg(const ProfileInputs& in, const std::string& device) {
  Plot p;
  p.title = "Load-to-use latency against cache lines touched (pointer chase, " + device + ")";
  p.x_label = "cache lines touched (span x 64 / stride)";
  p.y_label = "ns per dependent load";
  p.x_bytes = true;
  std::map<std::string, Series> by_variant;
  for (const ResultFile& f : in.files)
    for (const Measurement& m : f.measurements) {
      if (m.family != family_prefix(device) + ".lat" || !m.has("latency_ns") ||
          m.variant == "loaded" || device_of(m) != device)
        continue;
      const std::string key = m.variant + (m.keys.count("pages") ? " " + m.keys.at("pages") : "");
      const double x = m.has("lines_touched_bytes") ? m.median("lines_touched_bytes")
                       : m.has("working_set_bytes") ? m.median("working_set_bytes")
                                                    : m.key_number("bytes");
      by_variant[key].name = key;
      by_variant[key].points.push_back({x, m.best("latency_ns")});
    }
  for (auto& [key, s] : by_variant) {
    std::sort(s.points.begin(), s.points.end());
    p.series.push_back(s);
  }
  p.x_marks = edge_marks(in, device, false);
  return render_svg(p);
}

std::vector<std::pair<std::string, std::string>> roofline_panels(const json& profile) {
  std::vector<std::pair<std::string, std::string>> panels;
  for (const auto& [device, formats] : profile["compute"].items())
    for (const auto& [type, c] : formats.items())
      if (roofline_of(profile, device, type).usable()) panels.push_back({device, type});
  return panels;
}

std::string roofline_svg(const json& profile, const std::string& device, const std::string& type) {
  const Roofline roof = roofline_of(profile, device, type);
  Plot p;
  const std::string unit = type == "int8" ? "GOP/s" : "GFLOP/s";
  p.title = "Roofline: " + device + ", " + type + " (peak " + fmt(roof.peak_GFLOPps, "%.0f") + " " +
            unit + ")";
  p.x_label = "arithmetic intensity (FLOP per byte moved)";
  p.y_label = unit;
  p.legend_width = 290;
  std::vector<const json*> ops;
  double x_lo = 0.125, x_hi = 256;
  for (const json& op : profile["transformer"]["ops"])
    if (op.value("device", "cpu") == device && op.value("type", "") == type &&
        op.value("family", "") != "xfmr.layer") {
      ops.push_back(&op);
      x_lo = std::min(x_lo, op["intensity_flop_per_byte"].get<double>() / 2);
      x_hi = std::max(x_hi, op["intensity_flop_per_byte"].get<double>() * 2);
    }
  for (const Ceiling& c : roof.levels)
    x_hi = std::max(x_hi, 4 * roof.peak_GFLOPps / c.bandwidth_GBps);
  // Each ceiling: the bandwidth slope up to its ridge point, exactly, then the peak.
  const char* shades[] = {"#1f77b4", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#7f7f7f"};
  int i = 0;
  for (const Ceiling& c : roof.levels) {
    const double ridge = roof.peak_GFLOPps / c.bandwidth_GBps;
    Series s;
    s.name = c.level + ": " + fmt(c.bandwidth_GBps, "%.1f") + " GB/s, ridge " +
             fmt(ridge, ridge < 10 ? "%.2f" : "%.1f") + " FLOP/B";
    s.color = shades[i++ % 6];
    s.points = {{x_lo, x_lo * c.bandwidth_GBps}, {ridge, roof.peak_GFLOPps}};
    p.series.push_back(s);
    Series corner;
    corner.name = c.level + " ridge";
    corner.color = s.color;
    corner.line = false;
    corner.markers = true;
    corner.marker = 'd';
    corner.in_legend = false;
    corner.points = {{ridge, roof.peak_GFLOPps}};
    p.series.push_back(corner);
  }
  Series peak;
  peak.name = type + " peak " + fmt(roof.peak_GFLOPps, "%.0f") + " " + unit;
  peak.color = "#000000";
  peak.dashed = true;
  peak.points = {{roof.peak_GFLOPps / roof.levels.front().bandwidth_GBps, roof.peak_GFLOPps},
                 {x_hi, roof.peak_GFLOPps}};
  p.series.push_back(peak);
  // Products: colour by phase, marker by model.
  std::map<std::string, char> model_marker;
  const char shapes[] = {'o', 's', '^', 'd'};
  std::map<std::pair<std::string, std::string>, Series> groups;
  for (const json* op : ops) {
    const std::string model = (*op)["model"], phase = (*op)["phase"];
    if (!model_marker.count(model)) model_marker[model] = shapes[model_marker.size() % 4];
    Series& s = groups[{phase, model}];
    s.name = model + " " + phase;
    s.line = false;
    s.markers = true;
    s.marker = model_marker[model];
    s.color = phase == "prefill" ? "#d62728" : "#17becf";
    s.points.push_back({(*op)["intensity_flop_per_byte"], (*op)["GFLOPps"]});
  }
  for (auto& [key, s] : groups) p.series.push_back(s);
  return render_svg(p);
}

std::string c2c_svg(const json& profile) {
  const json pairs = profile.value("interconnect", json::object())
                         .value("c2c", json::object())
                         .value("pairs", json::array());
  std::vector<int> units;
  for (const json& p : pairs)
    for (const char* k : {"from", "to"}) {
      const int u = static_cast<int>(p[k].get<double>());
      if (std::find(units.begin(), units.end(), u) == units.end()) units.push_back(u);
    }
  std::sort(units.begin(), units.end());
  HeatMap map;
  map.title = "Core-to-core latency, one way (ns)";
  map.unit = "ns";
  for (int u : units) {
    map.row_labels.push_back(std::to_string(u));
    map.column_labels.push_back(std::to_string(u));
  }
  map.values.assign(units.size(), std::vector<double>(units.size(), NAN));
  auto index = [&](double u) {
    return static_cast<size_t>(std::find(units.begin(), units.end(), static_cast<int>(u)) -
                               units.begin());
  };
  for (const json& p : pairs) {
    const size_t a = index(p["from"]), b = index(p["to"]);
    map.values[a][b] = map.values[b][a] = p["latency_ns"].get<double>();
  }
  return render_heat_map(map);
}

std::string message_svg(const ProfileInputs& in, const std::string& family,
                        const std::vector<std::string>& variants, const std::string& counter,
                        const std::string& title, const std::string& y_label) {
  Plot p;
  p.title = title;
  p.x_label = "message size";
  p.y_label = y_label;
  p.x_bytes = true;
  std::map<std::string, Series> lines;
  for (const ResultFile& f : in.files)
    for (const Measurement& m : f.measurements) {
      if (m.family != family || !m.error.empty() || !m.has(counter)) continue;
      if (std::find(variants.begin(), variants.end(), m.variant) == variants.end()) continue;
      std::string key = m.variant;
      for (const char* k : {"placement", "inplace"})
        if (m.keys.count(k)) key += std::string(" ") + k + ":" + m.keys.at(k);
      lines[key].name = key;
      lines[key].markers = true;
      lines[key].points.push_back({m.key_number("bytes"), m.best(counter)});
    }
  for (auto& [key, s] : lines) {
    std::sort(s.points.begin(), s.points.end());
    p.series.push_back(s);
  }
  return render_svg(p);
}

namespace {

struct TrendPoint {
  double year = 0, value = 0;
  std::string label;
};

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

std::string trend_svg(const json& profile, const std::string& data_dir,
                      std::vector<std::string>* why_not) {
  namespace fs = std::filesystem;
  const std::string points_csv = (fs::path(data_dir) / "memory_wall_hw_figure_points.csv").string();
  const std::string datasheet_csv = (fs::path(data_dir) / "datasheet_specs.csv").string();
  const std::string calibration_csv = (fs::path(data_dir) / "trend_calibration.csv").string();
  struct Quantity {
    const char* series;
    const char* name;
    double rate;  // per two years, as the paper prints it
    const char* color;
  };
  const Quantity quantities[] = {{"peak_flops", "peak FLOP/s", 3.0, "#d62728"},
                                 {"dram_bw", "DRAM/HBM bandwidth", 1.6, "#1f77b4"},
                                 {"interconnect_bw", "interconnect bandwidth", 1.4, "#2ca02c"}};
  std::map<std::string, std::vector<TrendPoint>> data;
  for (auto& row : read_csv_rows(points_csv)) {
    const double year = year_of(row["date"]), v = cell(row, "value");
    if (std::isfinite(year) && std::isfinite(v))
      data[row["series"]].push_back({year, v, row["label"]});
  }
  // Figure units per absolute unit, from the points that name a device with a datasheet row.
  std::map<std::string, std::map<std::string, std::string>> datasheet;
  for (auto& row : read_csv_rows(datasheet_csv)) datasheet[row["name"]] = row;
  std::map<std::string, std::vector<double>> per_unit;
  for (auto& row : read_csv_rows(calibration_csv)) {
    auto ds = datasheet.find(row["datasheet_name"]);
    if (ds == datasheet.end()) continue;
    double absolute = cell(ds->second, row["datasheet_column"]);
    if (row["datasheet_column"].find("tflops") != std::string::npos) absolute *= 1e3;  // GFLOP/s
    for (const TrendPoint& t : data[row["series"]])
      if (t.label == row["label"] && absolute > 0)
        per_unit[row["series"]].push_back(absolute / t.value);
  }
  auto unit = [&](const std::string& series) {
    if (series == "interconnect_bw") return 4.0;  // PCIe 1.0a x16, one direction, GB/s
    const auto& v = per_unit[series];
    double sum = 0;
    for (double x : v) sum += x;
    return v.empty() ? NAN : sum / static_cast<double>(v.size());
  };

  Plot p;
  p.title =
      "The memory wall: growth of compute, memory and interconnect (each relative to its "
      "first device)";
  p.x_label = "year";
  p.y_label = "relative to the first device of the series";
  p.log_x = false;
  p.legend_width = 300;
  for (const Quantity& q : quantities) {
    const auto& pts = data[q.series];
    if (pts.empty()) continue;
    Series s;
    s.name = std::string(q.name) + " (devices)";
    s.line = false;
    s.markers = true;
    s.color = q.color;
    for (const TrendPoint& t : pts) {
      s.points.push_back({t.year, t.value});
      s.labels.push_back(t.label);
    }
    p.series.push_back(s);
    // The paper's rate, placed by least squares (slope fixed), not through one device.
    const double slope = std::log(q.rate) / 2;
    double intercept = 0, first = 1e9, last = 0;
    for (const TrendPoint& t : pts) {
      intercept += (std::log(t.value) - slope * t.year) / static_cast<double>(pts.size());
      first = std::min(first, t.year), last = std::max(last, t.year);
    }
    Series fit;
    fit.name = std::string(q.name) + ": " + fmt(q.rate, "%.1f") + "x every 2 years";
    fit.color = q.color;
    fit.dashed = true;
    for (double y : {first, last + 3}) fit.points.push_back({y, std::exp(intercept + slope * y)});
    p.series.push_back(fit);
  }
  // The measured devices, at their model's release year.
  for (const auto& [device, d] : profile["devices"].items()) {
    const std::string name = d.value("name", "");
    const auto row = datasheet_row(name, data_dir);
    if (!row) {
      if (why_not)
        why_not->push_back(
            device + " (\"" + name +
            "\") is not placed: its model has no release year in "
            "data/datasheet_specs.csv" +
            (d.value("hypervisor", "") == "yes" ? " (a virtual machine's name)" : ""));
      continue;
    }
    const double year = std::stod(row->at("year")) + 0.5;
    const json& walls =
        profile["ratios"].value(device, json::object()).value("walls", json::object());
    Series s;
    s.name = device + " measured (" + name + ")";
    s.line = false;
    s.markers = true;
    s.marker = 's';
    s.color = "#000000";
    if (walls.contains("compute_GFLOPps"))
      s.points.push_back({year, walls["compute_GFLOPps"].get<double>() / unit("peak_flops")});
    if (walls.contains("memory_GBps"))
      s.points.push_back({year, walls["memory_GBps"].get<double>() / unit("dram_bw")});
    if (walls.contains("interconnect_GBps") && walls["interconnect_GBps"].is_number())
      s.points.push_back(
          {year, walls["interconnect_GBps"].get<double>() / unit("interconnect_bw")});
    if (!s.points.empty()) p.series.push_back(s);
  }
  return render_svg(p);
}

}  // namespace memwall::harness
