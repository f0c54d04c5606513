// Latency under load (role latency_under_load): one core's chase while generators on the other
// cores of its node move a mix of reads and writes at a rate set by a delay, from idle to
// saturation, per memory node and mix (Intel MLC's loaded latency, Mess's curves). The whole
// figure: its profile step, verdicts, headline metrics, report section and plots.
#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include "harness/figure.hpp"
#include "harness/format.hpp"
#include "harness/profile/judging.hpp"
#include "harness/profile/steps.hpp"
#include "harness/report/document.hpp"
#include "harness/report/plots.hpp"
#include "harness/report/svg.hpp"

namespace memwall::harness {

namespace {

std::string key_text(const Measurement& m, const std::string& key, const std::string& fallback) {
  const auto it = m.keys.find(key);
  return it == m.keys.end() ? fallback : it->second;
}

// Along the curve from idle to saturation, where latency first reaches twice the idle latency:
// the bandwidth there, interpolated between the two points around it.
void find_knee(LoadedCurve& c) {
  const double twice = 2 * c.idle_latency_ns;
  double last_bw = 0, last_lat = c.idle_latency_ns;
  for (const LoadedPoint& p : c.points) {
    if (p.latency_ns >= twice) {
      const double f = p.latency_ns > last_lat ? (twice - last_lat) / (p.latency_ns - last_lat) : 1;
      c.knee_GBps = last_bw + f * (p.load_GBps - last_bw);
      return;
    }
    last_bw = p.load_GBps;
    last_lat = p.latency_ns;
  }
  double worst = 0;
  for (const LoadedPoint& p : c.points) worst = std::max(worst, p.latency_ns);
  c.knee_why = "latency stays under twice idle (" + sig(twice) + " ns): at most " + sig(worst) +
               " ns up to " + sig(c.max_GBps) + " GB/s";
}

}  // namespace

// Each memory node's bandwidth-latency curves, one per read/write mix, with the idle latency,
// the maximum bandwidth and the knee (where latency reaches twice idle).
std::vector<LoadedCurve> loaded_curves_step(const ProfileInputs& in,
                                            const PerDevice<std::vector<Level>>& memory) {
  // (device, node, kind) -> the idle latency, and mix -> its points
  using Node = std::tuple<std::string, int, std::string>;
  std::map<Node, double> idle;
  std::map<Node, std::map<std::string, LoadedCurve>> curves;
  // A latency its family declares measured under all-read load (cpu.lat/loaded): one more point
  // of its device's all-read curve, at saturation.
  const Measurement* stream_loaded = nullptr;
  std::map<std::pair<std::string, int>, std::string> loaded_by;  // what loaded a node's points
  for (const ResultFile& f : in.files)
    for (const Measurement& m : f.measurements) {
      if (!m.error.empty() || !m.has("latency_ns")) continue;
      if (m.role == Role::latency && m.field("under_load") == "read" && m.has("load_GBps"))
        stream_loaded = &m;
      if (m.role != Role::latency_under_load) continue;
      if (std::string& by = loaded_by[{device_of(m), static_cast<int>(m.key_number("node"))}];
          by.empty())
        by = loaded_why(m);
      const Node node{device_of(m), static_cast<int>(m.key_number("node")),
                      key_text(m, "kind", "DRAM")};
      const std::string mix = key_text(m, "mix", "read");
      if (mix == "idle" || m.key_number("gen") == 0) {
        idle[node] = m.median("latency_ns");
        continue;
      }
      LoadedCurve& c = curves[node][mix];
      c.device = std::get<0>(node);
      c.node = std::get<1>(node);
      c.kind = std::get<2>(node);
      c.mix = mix;
      c.generators = static_cast<int>(m.key_number("gen"));
      c.points.push_back(
          {static_cast<int>(m.key_number("delay")), m.has("load_GBps") ? m.median("load_GBps") : 0,
           m.has("load_hw_GBps") ? m.median("load_hw_GBps")
           : m.has("hw_GBps")    ? m.median("hw_GBps")  // files from before load_hw_GBps
                                 : 0,
           m.median("latency_ns"), m.best("latency_ns")});
    }
  std::vector<LoadedCurve> out;
  std::string last_device;
  for (auto& [node, mixes] : curves) {
    // Each device's first node is the chasing core's own (a GPU has one).
    const bool local = std::get<0>(node) != last_device;
    last_device = std::get<0>(node);
    for (auto& [mix, c] : mixes) {
      if (mix == "read" && stream_loaded && local && c.device == device_of(*stream_loaded))
        c.points.push_back({-1, stream_loaded->median("load_GBps"), 0,
                            stream_loaded->median("latency_ns"),
                            stream_loaded->best("latency_ns")});
      // From idle to saturation: the longest delay first.
      std::stable_sort(
          c.points.begin(), c.points.end(), [](const LoadedPoint& a, const LoadedPoint& b) {
            const double da = a.delay < 0 ? -1 : a.delay, db = b.delay < 0 ? -1 : b.delay;
            return da > db;
          });
      c.idle_latency_ns = idle.count(node) ? idle.at(node) : 0;
      for (const LoadedPoint& p : c.points) c.max_GBps = std::max(c.max_GBps, p.load_GBps);
      if (c.idle_latency_ns > 0)
        find_knee(c);
      else
        c.knee_why = "no idle point on this node";
      // The local node's theoretical bandwidth where the profile knows it: the memory level's.
      if (const auto m = memory.find(c.device); local && m != memory.end())
        for (const Level& l : m->second)
          if (l.kind == LevelKind::memory && l.theoretical_GBps > 0)
            c.theoretical_GBps = l.theoretical_GBps;
      c.state = loaded_by[{c.device, c.node}];
      out.push_back(c);
    }
  }
  return out;
}

namespace {

// Each node and mix under load: its maximum against the node's theoretical where known, with
// the knee beside it; suspect where the run's state loaded the node's points.
std::vector<Verdict> verdicts(const Profile& p) {
  std::vector<Verdict> out;
  for (const LoadedCurve& c : p.loaded_curves) {
    Verdict v;
    v.key = metric_key::loaded(c.device, c.node, c.mix, "max_GBps").text;
    v.device = c.device;
    v.figure =
        "node " + std::to_string(c.node) + " (" + c.kind + ") under load, " + c.mix + ": maximum";
    v.unit = "GB/s";
    v.value = c.max_GBps;
    if (v.value <= 0) continue;
    v.state = c.state;
    v.reason = c.knee_GBps > 0 ? "latency doubles from " + sig(c.idle_latency_ns) + " ns at " +
                                     sig(c.knee_GBps) + " GB/s"
                               : c.knee_why;
    out.push_back(judged(v, c.theoretical_GBps, "the memory level's theoretical",
                         &expected_range("cpu_stream")));
  }
  return out;
}

std::vector<HeadlineMetric> metrics(const Profile& p) {
  std::vector<HeadlineMetric> out;
  for (const LoadedCurve& c : p.loaded_curves) {
    out.push_back({metric_key::loaded(c.device, c.node, c.mix, "max_GBps"), c.max_GBps, true});
    out.push_back({metric_key::loaded(c.device, c.node, c.mix, "knee_GBps"), c.knee_GBps, true});
  }
  return out;
}

void section(const Profile& p, const std::vector<Figure>& figures, Document& doc) {
  if (p.loaded_curves.empty()) return;
  doc.heading(2, "Latency under load", "loaded");
  doc.paragraph(
      "One core chases pointers (as multichase, past the last-level cache, huge pages) while "
      "generators on the other cores of its node read and write a mix of cache lines, with a "
      "delay between lines swept from nearly idle to saturation, every buffer bound to the "
      "memory node measured (Intel MLC's loaded latency, Mess's curves). Bandwidth counts as "
      "STREAM counts (a line read 64 bytes, a line written 64; `ntw`: non-temporal writes, "
      "which read no line first). On a GPU one thread of one SM chases while a block on every "
      "other SM moves the mix, each thread sleeping between groups. The knee: the bandwidth "
      "at which latency reaches twice the idle latency.");
  std::vector<std::vector<std::string>> rows;
  for (const LoadedCurve& c : p.loaded_curves)
    rows.push_back(
        {c.device, std::to_string(c.node) + " (" + c.kind + ")", c.mix,
         std::to_string(c.generators), sig(c.idle_latency_ns), sig(c.max_GBps),
         c.theoretical_GBps > 0 ? fixed(100 * c.max_GBps / c.theoretical_GBps, 0) + "%" : "-",
         c.knee_GBps > 0 ? sig(c.knee_GBps) : "-",
         c.knee_GBps > 0 ? fixed(100 * c.knee_GBps / c.max_GBps, 0) + "%" : c.knee_why});
  doc.table({"device", "memory node", "mix", "generators", "idle latency ns", "max GB/s",
             "of theoretical", "knee GB/s", "knee of max"},
            "lllrrrrrl", rows, "Idle latency, maximum bandwidth and knee per node and mix");
  // The nodes of a device side by side, each against the device's first (the chaser's own):
  // what a tiered or interleaved placement trades.
  std::map<std::string, std::vector<const LoadedCurve*>> reads;
  for (const LoadedCurve& c : p.loaded_curves)
    if (c.mix == "read") reads[c.device].push_back(&c);
  std::vector<std::vector<std::string>> nodes;
  for (const auto& [device, curves] : reads) {
    if (curves.size() < 2) continue;
    const LoadedCurve& local = *curves.front();
    for (const LoadedCurve* c : curves)
      nodes.push_back(
          {device, std::to_string(c->node) + " (" + c->kind + ")", sig(c->idle_latency_ns),
           local.idle_latency_ns > 0 ? fixed(c->idle_latency_ns / local.idle_latency_ns, 2) + "x"
                                     : "-",
           sig(c->max_GBps),
           local.max_GBps > 0 ? fixed(c->max_GBps / local.max_GBps, 2) + "x" : "-",
           c->knee_GBps > 0 ? sig(c->knee_GBps) : "-"});
  }
  if (!nodes.empty())
    doc.table({"device", "memory node", "idle latency ns", "of the first", "max all-read GB/s",
               "of the first", "knee GB/s"},
              "llrrrrr", nodes,
              "The memory nodes side by side (all-read), each against its device's first node "
              "(the chasing core's own)");
  for (const Figure& f : figures)
    if (f.section == "loaded") doc.figure(f.file, f.caption);
}

// Mess's form: latency against the bandwidth the generators moved, one line per mix, from
// idle to saturation; the node's idle latency and twice it, its theoretical bandwidth marked.
std::string loaded_latency_svg(const Profile& p, const std::string& device, int node) {
  Plot plot;
  plot.log_x = plot.log_y = false;
  plot.x_label = "bandwidth the generators moved (GB/s, STREAM bytes)";
  plot.y_label = "latency (ns)";
  double idle = 0, theoretical = 0;
  std::string kind;
  int generators = 0;
  for (const LoadedCurve& c : p.loaded_curves) {
    if (c.device != device || c.node != node) continue;
    PlotSeries s;
    s.name = c.mix + (c.knee_GBps > 0 ? ", knee " + sig(c.knee_GBps) + " GB/s" : "");
    s.markers = true;
    for (const LoadedPoint& x : c.points) s.points.push_back({x.load_GBps, x.latency_ns});
    plot.series.push_back(s);
    idle = c.idle_latency_ns;
    theoretical = c.theoretical_GBps;
    kind = c.kind;
    generators = c.generators;
  }
  plot.title = "Latency under load: " + device + ", memory node " + std::to_string(node) + " (" +
               kind + "), " + std::to_string(generators) + " generators";
  if (idle > 0) {
    double right = theoretical;
    for (const PlotSeries& s : plot.series)
      for (const auto& [x, y] : s.points) right = std::max(right, x);
    PlotSeries twice;
    twice.name = "twice the idle " + sig(idle) + " ns";
    twice.color = "#999999";
    twice.dashed = true;
    twice.values_on_hover = false;
    twice.points = {{0, 2 * idle}, {right, 2 * idle}};
    plot.series.push_back(twice);
  }
  if (theoretical > 0) plot.x_marks.push_back({theoretical, "theoretical " + sig(theoretical)});
  return render_svg(plot);
}

// The nodes of one device side by side (local, remote, HBM, CXL): each node's all-read curve
// (its first mix where it has no all-read one), latency against bandwidth on one plot.
std::string loaded_nodes_svg(const Profile& p, const std::string& device) {
  Plot plot;
  plot.log_x = plot.log_y = false;
  plot.title = "Latency under load: the memory nodes of " + device + " side by side";
  plot.x_label = "bandwidth the generators moved (GB/s, STREAM bytes)";
  plot.y_label = "latency (ns)";
  std::set<int> drawn;
  for (const std::string& want : {std::string("read"), std::string()})
    for (const LoadedCurve& c : p.loaded_curves) {
      if (c.device != device || drawn.count(c.node) || (!want.empty() && c.mix != want)) continue;
      drawn.insert(c.node);
      PlotSeries s;
      s.name = "node " + std::to_string(c.node) + " (" + c.kind + "), " + c.mix;
      s.markers = true;
      for (const LoadedPoint& x : c.points) s.points.push_back({x.load_GBps, x.latency_ns});
      plot.series.push_back(s);
    }
  return render_svg(plot);
}

std::vector<Figure> plots(const Profile& p) {
  std::vector<Figure> out;
  std::set<std::pair<std::string, int>> loaded_nodes;
  for (const LoadedCurve& c : p.loaded_curves) loaded_nodes.insert({c.device, c.node});
  std::map<std::string, int> nodes_of;
  for (const auto& [device, node] : loaded_nodes) ++nodes_of[device];
  for (const auto& [device, nodes] : nodes_of)
    if (nodes > 1)
      out.push_back(
          {"loaded_" + device + "_nodes.svg",
           "Latency under load on " + device + ": every memory node's all-read curve side by side",
           "loaded", device, [&p, device = device] { return loaded_nodes_svg(p, device); }});
  for (const auto& [device, node] : loaded_nodes)
    out.push_back({"loaded_" + device + "_node" + std::to_string(node) + ".svg",
                   "Latency under load on " + device + ", memory node " + std::to_string(node) +
                       ": one core's chase while the others move each read/write mix, from idle "
                       "to saturation",
                   "loaded", device, [&p, device = device, node = node] {
                     return loaded_latency_svg(p, device, node);
                   }});
  return out;
}

const bool registered = add_figure({"loaded", 40,
                                    [](const ProfileInputs& in, Profile& p) {
                                      p.loaded_curves = loaded_curves_step(in, p.memory);
                                    },
                                    verdicts, metrics, section, nullptr, nullptr, plots});

}  // namespace

}  // namespace memwall::harness
