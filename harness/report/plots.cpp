#include "harness/report/plots.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "harness/figure.hpp"
#include "harness/format.hpp"
#include "harness/profile/roofline.hpp"
#include "harness/report/svg.hpp"

namespace memwall::harness {

namespace {

const char* kShades[] = {"#1f77b4", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#7f7f7f"};
const char* kFormatColors[] = {"#000000", "#d62728", "#1f77b4", "#2ca02c",
                               "#9467bd", "#ff7f0e", "#8c564b"};

std::string unit_of(const std::string& type) {
  return type == "int8" ? "GOP/s" : "GFLOP/s";
}

const Device& device_of_id(const Profile& p, const std::string& id) {
  static const Device none;
  const auto it = p.devices.find(id);
  return it == p.devices.end() ? none : it->second;
}

// The levels' edges as marks: "L1 48 KiB".
std::vector<std::pair<double, std::string>> edge_marks(const Profile& p, const std::string& device,
                                                       bool scaled) {
  std::vector<std::pair<double, std::string>> marks;
  const auto levels = p.memory.find(device);
  if (levels == p.memory.end()) return marks;
  for (const Level& l : levels->second) {
    if (l.kind == LevelKind::memory) continue;
    const double at = scaled ? l.interval_hi_bytes : l.detected_bytes;
    if (at > 0) marks.push_back({at, l.name + " " + bytes_text(at)});
  }
  return marks;
}

std::vector<PlotSeries> plot_series(const std::vector<Series>& curves) {
  std::vector<PlotSeries> out;
  for (const Series& s : curves) {
    PlotSeries ps;
    ps.name = s.name;
    ps.points = s.points;
    ps.markers = s.points.size() < 12;
    ps.break_at_gaps = true;
    out.push_back(ps);
  }
  return out;
}

std::string message_svg(const std::vector<Series>& curves, const std::string& title,
                        const std::string& y_label) {
  Plot plot;
  plot.title = title;
  plot.x_label = "message size";
  plot.y_label = y_label;
  plot.x_bytes = true;
  plot.series = plot_series(curves);
  for (PlotSeries& s : plot.series) s.markers = true;
  return render_svg(plot);
}

// The products drawn on a device's panel of one format (layers are sums of products: left out).
std::vector<const Product*> products_of(const Profile& p, const std::string& device,
                                        const std::string& type) {
  std::vector<const Product*> out;
  for (const Product& op : p.transformer.ops)
    if (op.device == device && op.type == type && op.op != "layer") out.push_back(&op);
  return out;
}

// The y axis in the unit that suits its values (TFLOP/s, TB/s on a GPU).
void scale_y(Plot& plot, const Scale& scale, const std::string& what) {
  for (PlotSeries& s : plot.series)
    for (auto& point : s.points) point.second /= scale.divisor;
  for (Note& n : plot.notes) n.y /= scale.divisor;
  plot.y_label = scale.unit + what;
}

double largest_y(const Plot& plot) {
  double top = 0;
  for (const PlotSeries& s : plot.series)
    for (const auto& point : s.points) top = std::max(top, point.second);
  return top;
}

}  // namespace

std::string bandwidth_svg(const Profile& p, const std::string& device) {
  const Device& d = device_of_id(p, device);
  Plot plot;
  plot.title = "Bandwidth against the working set (" + d.parallelism + ", " + device + ")";
  plot.x_label = p.curves.at(device).bandwidth_axis;
  plot.x_bytes = true;
  plot.series = plot_series(p.curves.at(device).bandwidth);
  plot.x_marks = edge_marks(p, device, true);
  scale_y(plot, scale_for(Quantity::bandwidth, largest_y(plot)),
          device_of_id(p, device).kind == DeviceKind::gpu ? " (BabelStream bytes; 1 GB = 1e9 bytes)"
                                                          : " (STREAM bytes; 1 GB = 1e9 bytes)");
  return render_svg(plot);
}

std::string latency_svg(const Profile& p, const std::string& device) {
  Plot plot;
  plot.title =
      "Load-to-use latency against the cache lines touched (pointer chase, " + device + ")";
  plot.x_label = p.curves.at(device).latency_axis;
  plot.y_label = "ns per dependent load";
  plot.x_bytes = true;
  plot.series = plot_series(p.curves.at(device).latency);
  plot.x_marks = edge_marks(p, device, false);
  return render_svg(plot);
}

std::string roofline_svg(const Profile& p, const std::string& device, const std::string& type) {
  const Roofline roof = roofline_of(p, device, type);
  const std::vector<Ceiling> roofs = roof.roofs();
  const Scale scale =
      scale_for(type == "int8" ? Quantity::ops : Quantity::flops, roof.peak_GFLOPps);
  Plot plot;
  plot.title = "Roofline: " + device_of_id(p, device).name + ", " + type + " (peak " +
               in_scale(roof.peak_GFLOPps, scale) + " " + scale.unit + ")";
  plot.x_label = "arithmetic intensity (FLOP per byte moved)";
  plot.y_label = unit_of(type);
  plot.legend_width = 290;
  const std::vector<const Product*> ops = products_of(p, device, type);
  double x_lo = 0.125, x_hi = 256;
  for (const Product* op : ops) {
    x_lo = std::min(x_lo, op->intensity_flop_per_byte / 2);
    x_hi = std::max(x_hi, op->intensity_flop_per_byte * 2);
  }
  for (const Ceiling& c : roofs) x_hi = std::max(x_hi, 4 * roof.peak_GFLOPps / c.bandwidth_GBps);
  // Each ceiling: the bandwidth slope up to its ridge point, exactly, then the peak.
  int i = 0;
  for (const Ceiling& c : roofs) {
    const double ridge = roof.peak_GFLOPps / c.bandwidth_GBps;
    PlotSeries s;
    s.name = c.level + ": " + with_unit(c.bandwidth_GBps, Quantity::bandwidth) + ", ridge " +
             sig(ridge) + " FLOP/B";
    s.color = kShades[i++ % 6];
    s.points = {{x_lo, x_lo * c.bandwidth_GBps}, {ridge, roof.peak_GFLOPps}};
    s.values_on_hover = false;
    plot.series.push_back(s);
    PlotSeries corner;
    corner.name = c.level + " ridge";
    corner.color = s.color;
    corner.line = false;
    corner.markers = true;
    corner.marker = 'd';
    corner.in_legend = false;
    corner.points = {{ridge, roof.peak_GFLOPps}};
    plot.series.push_back(corner);
  }
  PlotSeries peak;
  peak.name = type + " peak " + in_scale(roof.peak_GFLOPps, scale) + " " + scale.unit;
  peak.color = "#000000";
  peak.dashed = true;
  peak.values_on_hover = false;
  if (!roofs.empty())
    peak.points = {{roof.peak_GFLOPps / roofs.front().bandwidth_GBps, roof.peak_GFLOPps},
                   {x_hi, roof.peak_GFLOPps}};
  plot.series.push_back(peak);
  // Products: colour by phase, marker by model.
  std::map<std::string, char> model_marker;
  const char shapes[] = {'o', 's', '^', 'd'};
  std::map<std::pair<std::string, std::string>, PlotSeries> groups;
  for (const Product* op : ops) {
    if (!model_marker.count(op->model)) model_marker[op->model] = shapes[model_marker.size() % 4];
    PlotSeries& s = groups[{op->phase, op->model}];
    s.name = op->model + " " + op->phase;
    s.line = false;
    s.markers = true;
    s.marker = model_marker[op->model];
    s.color = op->phase == "prefill" ? "#d62728" : "#17becf";
    s.points.push_back({op->intensity_flop_per_byte, op->GFLOPps});
  }
  for (auto& [key, s] : groups) plot.series.push_back(s);
  scale_y(plot, scale, "");
  return render_svg(plot);
}

std::string roofline_overview_svg(const Profile& p, const std::string& device) {
  const auto& formats = p.compute.at(device);
  double top = 0;
  for (const auto& [type, c] : formats) top = std::max(top, c.peak.best);
  const Roofline roof = roofline_of(p.memory.at(device), device, "", top);
  const std::vector<Ceiling> roofs = roof.roofs();
  Plot plot;
  plot.title = "Roofline of every format: " + device_of_id(p, device).name;
  plot.x_label = "arithmetic intensity (FLOP or OP per byte moved)";
  plot.legend_width = 290;
  double x_lo = 0.125, x_hi = 256;
  for (const Ceiling& c : roofs) x_hi = std::max(x_hi, 4 * top / c.bandwidth_GBps);
  int i = 0;
  for (const Ceiling& c : roofs) {
    PlotSeries s;
    s.name = c.level + ": " + with_unit(c.bandwidth_GBps, Quantity::bandwidth);
    s.color = kShades[i++ % 6];
    s.points = {{x_lo, x_lo * c.bandwidth_GBps}, {top / c.bandwidth_GBps, top}};
    s.values_on_hover = false;
    plot.series.push_back(s);
  }
  // Each format's peak from its ridge on the fastest ceiling, with its ridge on memory marked.
  i = 0;
  const Ceiling memory = roof.memory_roof();
  std::vector<std::pair<double, std::string>> ordered;
  for (const auto& [type, c] : formats) ordered.push_back({c.peak.best, type});
  std::sort(ordered.rbegin(), ordered.rend());
  for (const auto& [peak_value, type] : ordered) {
    if (roofs.empty()) break;
    const Compute& c = formats.at(type);
    PlotSeries s;
    s.name = type + " " + with_unit(c.peak.best, type == "int8" ? Quantity::ops : Quantity::flops) +
             ", ridge " + sig(c.peak.best / memory.bandwidth_GBps) + " at " + memory.level;
    s.color = kFormatColors[i++ % 7];
    s.dashed = true;
    s.points = {{c.peak.best / roofs.front().bandwidth_GBps, c.peak.best}, {x_hi, c.peak.best}};
    s.values_on_hover = false;
    plot.series.push_back(s);
    PlotSeries corner;
    corner.name = type + " ridge at " + memory.level;
    corner.color = s.color;
    corner.line = false;
    corner.markers = true;
    corner.marker = 'd';
    corner.in_legend = false;
    corner.points = {{c.peak.best / memory.bandwidth_GBps, c.peak.best}};
    plot.series.push_back(corner);
  }
  scale_y(plot, scale_for(Quantity::flops, top), " (int8: OP/s at the same prefix)");
  return render_svg(plot);
}

std::string c2c_svg(const Profile& p) {
  std::vector<int> units;
  for (const CoreToCore& c : p.links.c2c)
    for (int u : {c.from, c.to})
      if (std::find(units.begin(), units.end(), u) == units.end()) units.push_back(u);
  std::sort(units.begin(), units.end());
  HeatMap map;
  map.title = "Core-to-core latency, one way (ns)";
  map.unit = "ns";
  for (int u : units) {
    map.row_labels.push_back(std::to_string(u));
    map.column_labels.push_back(std::to_string(u));
  }
  map.values.assign(units.size(), std::vector<double>(units.size(), NAN));
  auto index = [&](int u) {
    return static_cast<size_t>(std::find(units.begin(), units.end(), u) - units.begin());
  };
  for (const CoreToCore& c : p.links.c2c) {
    const size_t a = index(c.from), b = index(c.to);
    map.values[a][b] = map.values[b][a] = c.latency_ns;
  }
  return render_heat_map(map);
}

std::string numa_svg(const Profile& p) {
  int cpus = 0, memories = 0;
  for (const NumaCell& c : p.links.numa)
    cpus = std::max(cpus, c.cpus + 1), memories = std::max(memories, c.memory + 1);
  std::vector<std::string> kinds(memories);
  for (const NumaCell& c : p.links.numa) kinds[c.memory] = c.memory_kind;
  HeatMap map;
  map.title = "Memory read bandwidth from each node's cores to each node's memory (GB/s)";
  map.unit = "GB/s";
  for (int n = 0; n < cpus; ++n) map.row_labels.push_back("cores " + std::to_string(n));
  for (int n = 0; n < memories; ++n)
    map.column_labels.push_back(std::to_string(n) + (kinds[n].empty() ? "" : " " + kinds[n]));
  map.values.assign(cpus, std::vector<double>(memories, NAN));
  for (const NumaCell& c : p.links.numa)
    if (c.read_GBps > 0) map.values[c.cpus][c.memory] = c.read_GBps;
  return render_heat_map(map);
}

std::string p2p_svg(const Profile& p, const std::string& engine, const std::string& direction) {
  int n = 0;
  for (const PeerLink& l : p.links.peers) n = std::max({n, l.from + 1, l.to + 1});
  HeatMap map;
  map.title =
      "GPU peer-to-peer bandwidth, " + std::string(engine == "ce" ? "copy engines" : "SMs") +
      (direction == "bidir" ? ", both ways" : ", one way") + " (GB/s; row: from, column: to)";
  map.unit = "GB/s";
  for (int g = 0; g < n; ++g) {
    map.row_labels.push_back("gpu" + std::to_string(g));
    map.column_labels.push_back(std::to_string(g));
  }
  map.values.assign(n, std::vector<double>(n, NAN));
  for (const PeerLink& l : p.links.peers)
    if (l.engine == engine && l.direction == direction) {
      map.values[l.from][l.to] = l.bandwidth_GBps;
      if (direction == "bidir") map.values[l.to][l.from] = l.bandwidth_GBps;
    }
  return render_heat_map(map);
}

std::string trend_svg(const Profile& p) {
  const char* colors[] = {"#d62728", "#1f77b4", "#2ca02c"};
  Plot plot;
  plot.title =
      "The memory wall: growth of compute, memory and interconnect (each relative to its "
      "first device)";
  plot.x_label = "year";
  plot.y_label = "relative to the first device of the series";
  plot.log_x = false;
  plot.legend_width = 300;
  int i = 0;
  for (const TrendSeries& t : p.trend.series) {
    const std::string color = colors[i++ % 3];
    PlotSeries s;
    s.name = t.name + " (devices)";
    s.line = false;
    s.markers = true;
    s.color = color;
    for (const TrendPoint& pt : t.points) {
      s.points.push_back({pt.year, pt.value});
      s.labels.push_back(pt.label);
    }
    plot.series.push_back(s);
    // The paper's rate, placed by least squares (slope fixed), not through one device.
    const double slope = std::log(t.rate_per_2y) / 2;
    double intercept = 0, first = 1e9, last = 0;
    for (const TrendPoint& pt : t.points) {
      intercept += (std::log(pt.value) - slope * pt.year) / static_cast<double>(t.points.size());
      first = std::min(first, pt.year), last = std::max(last, pt.year);
    }
    PlotSeries fit;
    fit.name = t.name + ": " + fixed(t.rate_per_2y, 1) + "x every 2 years";
    fit.color = color;
    fit.dashed = true;
    for (double y : {first, last + 3}) fit.points.push_back({y, std::exp(intercept + slope * y)});
    plot.series.push_back(fit);
  }
  for (const TrendPlacement& d : p.trend.devices) {
    if (!d.why_not.empty()) continue;
    const char marks[] = {'s', '^', 'd'};
    const double values[] = {d.compute, d.memory, d.link};
    const char* what[] = {"peak", "memory", "link"};
    for (int q = 0; q < 3; ++q) {
      if (values[q] <= 0) continue;
      PlotSeries s;
      s.name = d.device + " " + what[q] + " (" + d.name + ")";
      s.line = false;
      s.markers = true;
      s.marker = marks[q];
      s.color = colors[q];
      s.points = {{d.year, values[q]}};
      s.labels = {d.device};
      plot.series.push_back(s);
    }
  }
  return render_svg(plot);
}

std::string models_svg(const Profile& p, const std::string& device) {
  Plot plot;
  plot.title = "Decode tokens/s against batch on " + device + ": predicted (lines), measured";
  plot.x_label = "batch (sequences decoded together)";
  plot.y_label = "tokens/s";
  for (const ModelPrediction& m : p.models) {
    if (m.device != device || m.decode_curve.empty()) continue;
    if (m.role == PredictionRole::measured && m.phase != "decode") continue;
    const std::string name = m.model + " " + m.type + ", context " + std::to_string(m.context);
    if (std::any_of(plot.series.begin(), plot.series.end(),
                    [&](const PlotSeries& s) { return s.name == name; }))
      continue;
    // Each model's measured point in its predicted line's colour.
    static const char* colors[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd",
                                   "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};
    PlotSeries line;
    line.name = name;
    line.color = colors[plot.series.size() % 10];
    for (const auto& [batch, rate] : m.decode_curve) line.points.push_back({batch, rate});
    plot.series.push_back(line);
    if (m.measured_s > 0) {
      PlotSeries measured;
      measured.name = name + ", measured";
      measured.line = false;
      measured.markers = true;
      measured.color = line.color;
      measured.points.push_back({m.batch, m.batch / m.measured_s});
      plot.series.push_back(measured);
    }
  }
  return render_svg(plot);
}

std::vector<Figure> figures_of(const Profile& p) {
  std::vector<Figure> out;
  std::set<std::string> predicted;
  for (const ModelPrediction& m : p.models)
    if (!m.decode_curve.empty()) predicted.insert(m.device);
  for (const std::string& id : predicted)
    out.push_back({"models_" + id + ".svg",
                   "Decode tokens/s against batch on " + id +
                       ", predicted from the profile's roofs (lines) and measured (markers)",
                   "models", id, [&p, id] { return models_svg(p, id); }});
  for (const auto& [id, c] : p.curves) {
    if (!c.bandwidth.empty())
      out.push_back({"bandwidth_" + id + ".svg",
                     "Bandwidth of every kernel against the working set (" + id +
                         "); dashed lines: where each level's interval ends for these threads",
                     "memory", id, [&p, id = id] { return bandwidth_svg(p, id); }});
    if (!c.latency.empty())
      out.push_back({"latency_" + id + ".svg",
                     "Latency against the cache lines touched (" + id +
                         "), one line per chase variant; dashed lines: the levels' edges",
                     "memory", id, [&p, id = id] { return latency_svg(p, id); }});
  }
  for (const auto& [id, formats] : p.compute) {
    if (!p.memory.count(id) || !roofline_of(p, id, formats.begin()->first).usable()) continue;
    out.push_back({"roofline_" + id + ".svg",
                   "Roofline of every number format of " + id +
                       ": one ceiling per memory level with a bandwidth, one peak per format",
                   "roofline", id, [&p, id = id] { return roofline_overview_svg(p, id); }});
    for (const auto& [type, c] : formats)
      if (!products_of(p, id, type).empty() && roofline_of(p, id, type).usable())
        out.push_back({"roofline_" + id + "_" + type + ".svg",
                       "Roofline of " + id + " in " + type + " with its Transformer products",
                       "roofline", id,
                       [&p, id = id, type = type] { return roofline_svg(p, id, type); }});
  }
  if (!p.links.c2c.empty())
    out.push_back({"c2c.svg",
                   "Core-to-core latency, one way: a cache line bounced between two pinned threads",
                   "interconnect", "", [&p] { return c2c_svg(p); }});
  std::set<int> nodes;
  for (const NumaCell& c : p.links.numa) nodes.insert(c.memory);
  if (nodes.size() > 1)
    out.push_back({"numa.svg",
                   "NUMA matrix: read bandwidth from each node's cores to each node's memory",
                   "interconnect", "", [&p] { return numa_svg(p); }});
  std::set<std::pair<std::string, std::string>> peer_kinds;
  for (const PeerLink& l : p.links.peers) peer_kinds.insert({l.engine, l.direction});
  for (const auto& [engine, direction] : peer_kinds)
    out.push_back({"p2p_" + engine + "_" + direction + ".svg",
                   "GPU peer-to-peer bandwidth at the largest size, " + engine + " " + direction,
                   "interconnect", "", [&p, engine = engine, direction = direction] {
                     return p2p_svg(p, engine, direction);
                   }});
  if (!p.links.nccl_curves.empty())
    out.push_back({"nccl.svg", "NCCL collectives' bus bandwidth against the message size",
                   "interconnect", "", [&p] {
                     return message_svg(p.links.nccl_curves,
                                        "NCCL collectives: bus bandwidth (nccl-tests' factors)",
                                        "bus GB/s");
                   }});
  if (!p.links.mpi_latency.empty())
    out.push_back({"mpi_latency.svg", "MPI point-to-point latency against the message size",
                   "interconnect", "", [&p] {
                     return message_svg(p.links.mpi_latency,
                                        "MPI one-way latency (osu_latency's method)", "ns");
                   }});
  if (!p.links.mpi_bandwidth.empty())
    out.push_back({"mpi_bandwidth.svg", "MPI point-to-point bandwidth against the message size",
                   "interconnect", "", [&p] {
                     return message_svg(p.links.mpi_bandwidth, "MPI bandwidth (osu_bw, osu_bibw)",
                                        "GB/s");
                   }});
  if (!p.links.mpi_collective_curves.empty())
    out.push_back({"mpi_collectives.svg", "MPI collectives' bus bandwidth against the message size",
                   "interconnect", "", [&p] {
                     return message_svg(p.links.mpi_collective_curves,
                                        "MPI collectives: bus bandwidth (nccl-tests' factors)",
                                        "bus GB/s");
                   }});
  if (!p.trend.series.empty())
    out.push_back({"trend.svg",
                   "Peak FLOP/s, DRAM/HBM bandwidth and interconnect bandwidth of published "
                   "devices, each relative to its first device (data of AI and Memory Wall), with "
                   "the paper's growth rates fitted to them; measured devices at their datasheet "
                   "row's release year",
                   "trend", "", [&p] { return trend_svg(p); }});
  for (const FigureModule& figure : figure_modules())
    if (figure.plots)
      for (Figure& f : figure.plots(p)) out.push_back(std::move(f));
  return out;
}

}  // namespace memwall::harness
