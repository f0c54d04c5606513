#include "harness/report/content.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <map>
#include <set>

#include "harness/figure.hpp"
#include "harness/format.hpp"
#include "harness/report/health.hpp"
#include "harness/report/plots.hpp"

namespace memwall::harness {

namespace {

// What a device's figures ran on and who reported its caches, in its own words.
struct Words {
  std::string all;          // "2 threads", "all 132 SMs"
  std::string reported_by;  // hwloc, CUDA
  bool gpu = false;
};

Words words_of(const Device& d) {
  Words w;
  w.gpu = d.kind == DeviceKind::gpu;
  w.all = d.parallelism.empty() ? d.id : d.parallelism;
  w.reported_by = w.gpu ? "CUDA" : "hwloc";
  return w;
}

const Device& device(const Profile& p, const std::string& id) {
  static const Device none;
  const auto it = p.devices.find(id);
  return it == p.devices.end() ? none : it->second;
}

std::string name_of(const Profile& p, const std::string& id) {
  const Device& d = device(p, id);
  return d.name.empty() ? id : d.name;
}

Quantity flops_quantity(const std::string& type) {
  return type == "int8" ? Quantity::ops : Quantity::flops;
}

double largest_peak(const std::map<std::string, Compute>& formats) {
  double top = 0;
  for (const auto& [type, c] : formats) top = std::max(top, c.peak.best);
  return top;
}

std::string format_unit_header(const Scale& s) {
  std::string ops = s.unit;
  ops.replace(ops.find("FLOP"), 4, "OP");
  return s.unit + "; int8 " + ops;
}

std::string shape_text(const Compute& c) {
  return c.peak_shape.empty()
             ? c.peak_path
             : c.peak_shape + " " +
                   (c.peak_path.find("GEMM") != std::string::npos ? "GEMM" : c.peak_path);
}

const std::vector<Level>& levels_of(const Profile& p, const std::string& id) {
  static const std::vector<Level> none;
  const auto it = p.memory.find(id);
  return it == p.memory.end() ? none : it->second;
}

const Level* memory_level(const Profile& p, const std::string& id) {
  const Level* m = nullptr;
  for (const Level& l : levels_of(p, id))
    if (l.kind == LevelKind::memory) m = &l;
  return m;
}

double largest_bandwidth(const std::vector<Level>& levels) {
  double top = 0;
  for (const Level& l : levels) top = std::max(top, l.bandwidth_GBps);
  return top;
}

// "256 KiB x132" for a GPU's L1s, "32 KiB x2" for two cores' L1s, "60 MiB" for one shared L2.
std::string size_cell(const Level& l) {
  if (l.size_bytes <= 0) return "-";
  return bytes_text(l.size_bytes) + (l.instances > 1 ? " x" + std::to_string(l.instances) : "");
}

std::string spaced(std::string s) {
  std::replace(s.begin(), s.end(), '_', ' ');
  return s;
}

std::string first_sentence(const std::string& why) {
  const size_t colon = why.find(": ");
  return colon == std::string::npos ? why : why.substr(0, colon);
}

// Devices of one kind and model, in order: a node's eight GPUs are one group. A group's first
// device stands for it in the detailed tables; the others get one row each in a table beside.
std::vector<std::vector<std::string>> device_groups(const Profile& p) {
  std::vector<std::vector<std::string>> groups;
  for (const auto& [id, d] : p.devices) {
    auto same = std::find_if(groups.begin(), groups.end(), [&](const auto& g) {
      const Device& first = p.devices.at(g.front());
      return first.kind == d.kind && first.name == d.name;
    });
    if (same == groups.end())
      groups.push_back({id});
    else
      same->push_back(id);
  }
  return groups;
}

bool leads_its_group(const Profile& p, const std::string& id) {
  for (const auto& g : device_groups(p))
    if (std::find(g.begin(), g.end(), id) != g.end()) return g.front() == id;
  return true;
}

std::string group_range(const std::vector<std::string>& g) {
  return g.size() == 2 ? g[1] : g[1] + " to " + g.back();
}

// One row per device of a group: its peak in the walls' format and each level's figures, so
// eight GPUs read as one table, and the one that differs shows.
void group_table(Document& doc, const Profile& p, const std::vector<std::string>& g) {
  if (g.size() < 2) return;
  const std::string& first = g.front();
  const auto r = p.ratios.find(first);
  const std::string type = r == p.ratios.end() ? "" : r->second.walls.format;
  double top_peak = 0, top_bw = 0;
  for (const std::string& id : g) {
    if (p.compute.count(id) && p.compute.at(id).count(type))
      top_peak = std::max(top_peak, p.compute.at(id).at(type).peak.best);
    top_bw = std::max(top_bw, largest_bandwidth(levels_of(p, id)));
  }
  const Scale flops = scale_for(Quantity::flops, top_peak);
  const Scale bw = scale_for(Quantity::bandwidth, top_bw);
  std::vector<std::string> header = {"device"};
  std::string align = "l";
  if (!type.empty()) header.push_back(type + " peak (" + flops.unit + ")"), align += "r";
  for (const Level& l : levels_of(p, first)) {
    header.push_back(l.name + " (" + bw.unit + ")");
    header.push_back(l.name + " (ns)");
    align += "rr";
  }
  std::vector<std::vector<std::string>> rows;
  for (const std::string& id : g) {
    std::vector<std::string> row = {id};
    if (!type.empty())
      row.push_back(p.compute.count(id) && p.compute.at(id).count(type)
                        ? in_scale(p.compute.at(id).at(type).peak.best, flops)
                        : "-");
    for (const Level& l : levels_of(p, first)) {
      const Level* mine = find_level(p, id, l.name);
      row.push_back(mine ? in_scale(mine->bandwidth_GBps, bw) : "-");
      row.push_back(mine ? sig(mine->latency_ns) : "-");
    }
    rows.push_back(row);
  }
  doc.table(header, align, rows,
            "Every " + name_of(p, first) + " of this machine (" + std::to_string(g.size()) +
                "): the tables above are " + first + "'s");
}

// The formats a device's ridge columns show: the walls' format first, int8 left out.
std::vector<std::string> ridge_formats(const Profile& p, const std::string& id) {
  std::vector<std::string> out;
  const auto r = p.ratios.find(id);
  const std::string walls = r == p.ratios.end() ? "" : r->second.walls.format;
  if (!walls.empty()) out.push_back(walls);
  if (p.compute.count(id))
    for (const auto& [type, c] : p.compute.at(id))
      if (type != "int8" && type != walls) out.push_back(type);
  return out;
}

double ridge(const Profile& p, const std::string& id, const std::string& level,
             const std::string& type) {
  const auto r = p.ratios.find(id);
  if (r == p.ratios.end()) return 0;
  const auto l = r->second.ridge_flop_per_byte.find(level);
  if (l == r->second.ridge_flop_per_byte.end()) return 0;
  const auto t = l->second.find(type);
  return t == l->second.end() ? 0 : t->second;
}

std::string product_label(const Product& op) {
  return op.model + " " + op.op + " (" + op.type + ", batch " + fixed(op.batch, 0) +
         (op.phase == "prefill" ? ", " + fixed(op.seq, 0) + " tokens" : "") + ")";
}

// A product to quote: of the device and format, of this phase and bound, the smallest batch.
const Product* example(const Profile& p, const std::string& id, const std::string& type,
                       const std::string& phase, Bound bound) {
  const Product* best = nullptr;
  // Decode: the product that moves the most (the weights), whatever its roof says, which the
  // verdict then explains; prefill: the fastest under its roof.
  auto better = [&](const Product& a, const Product& b) {  // a better than b
    const bool a_under = a.percent_of_roofline <= 100, b_under = b.percent_of_roofline <= 100;
    if (a.batch != b.batch) return a.batch < b.batch;
    if (phase == "decode") return a.bytes > b.bytes;
    if (a_under != b_under) return a_under;
    return a.GFLOPps > b.GFLOPps;
  };
  for (const Product& op : p.transformer.ops)
    if (op.device == id && op.type == type && op.phase == phase && op.bound == bound &&
        op.op != "layer" && (!best || better(op, *best)))
      best = &op;
  return best;
}

// What the walls mean for a model people run: its decode and prefill on this device.
std::string model_line(const ModelPrediction& m) {
  const bool memory = m.decode.bound == Bound::memory;
  return m.model + " " + m.type + " decodes at most **" + sig(m.decode.tokens_per_s) +
         " tokens/s** at batch " + std::to_string(m.batch) + " on " + m.device + " (" +
         m.decode.bound + "-bound" +
         (memory ? ": " + bytes_text(m.decode.bytes) + " a token at " + m.memory_level + "'s " +
                       with_unit(m.memory_GBps, Quantity::bandwidth) + " " + m.memory_kernel +
                       " bandwidth"
                 : std::string()) +
         (m.decode.bound == Bound::host_link ? ": the weights spill over " + m.spill_link : "") +
         "); its weight products turn compute-bound " +
         (m.compute_bound_from_batch > 0
              ? "from batch " + std::to_string(m.compute_bound_from_batch)
              : std::string("at no batch up to 65536")) +
         ", and a " + std::to_string(m.context) + "-token prompt takes at least " +
         seconds_text(m.prefill.seconds) + " to its first token.";
}

void verdict(Document& doc, const Profile& p) {
  const std::string id = primary_device(p);
  if (id.empty()) {
    doc.paragraph("No benchmark of a device finished in this run; see **Failed or skipped**.");
    return;
  }
  const Device& d = device(p, id);
  const auto r = p.ratios.find(id);
  std::string text;
  if (r == p.ratios.end() || r->second.walls.compute_GFLOPps <= 0 ||
      r->second.walls.memory_GBps <= 0) {
    text = "This " + name_of(p, id) +
           " was measured without a peak compute benchmark or a memory bandwidth, so no ridge "
           "point can be given.";
    doc.paragraph(text);
    return;
  }
  const Walls& w = r->second.walls;
  const Compute& c = p.compute.at(id).at(w.format);
  const size_t same = [&] {
    for (const auto& g : device_groups(p))
      if (g.front() == id) return g.size();
    return size_t{1};
  }();
  text = "This " + name_of(p, id) +
         (same > 1 ? " (" + id + ", one of " + std::to_string(same) + ")" : "") + ", measured on " +
         d.parallelism + (d.virtual_machine ? " of a virtual machine" : "") + ", peaks at **" +
         with_unit(w.compute_GFLOPps, flops_quantity(w.format)) + " " + w.format + "** (" +
         shape_text(c) + ") and streams **" + with_unit(w.memory_GBps, Quantity::bandwidth) +
         "** from " + w.memory_level + ": a kernel must do **" + sig(w.flop_per_memory_byte) + " " +
         w.format + " FLOP per byte** it reads from " + w.memory_level + " to reach that peak.";
  const Product* decode = example(p, id, w.format, "decode", Bound::memory);
  const Product* prefill = example(p, id, w.format, "prefill", Bound::compute);
  if (decode && prefill) {
    auto roof_words = [](const Product& op) {
      const std::string at = fixed(op.percent_of_roofline, 0) + "% of its " +
                             (op.bound == Bound::memory ? op.roof_level + " roof" : "compute roof");
      if (op.percent_of_roofline <= 100) return at;
      if (op.above_roof_unexplained)
        return at +
               ", above it with nothing this run measured to explain it (the bandwidth "
               "moved during the run: its verdict below)";
      return at + ", above it because " + first_sentence(op.above_roof_because);
    };
    text += " Transformer decode is memory-bound here: " + product_label(*decode) + " does " +
            sig(decode->intensity_flop_per_byte) + " FLOP per byte and streams " +
            with_unit(decode->GBps, Quantity::bandwidth) + ", " + roof_words(*decode) +
            "; prefill is compute-bound: " + product_label(*prefill) + " reaches " +
            with_unit(prefill->GFLOPps, flops_quantity(w.format)) + ", " + roof_words(*prefill) +
            ".";
    for (const ModelPrediction& m : p.models)
      if (m.role == PredictionRole::headline && m.device == id) text += " " + model_line(m);
  } else {
    const auto& levels = levels_of(p, id);
    if (levels.size() >= 2 && levels.front().latency_ns > 0)
      text += " A load that misses every cache waits " + sig(levels.back().latency_ns) + " ns, " +
              sig(levels.back().latency_ns / levels.front().latency_ns) + " times the " +
              levels.front().name + " hit latency.";
  }
  doc.paragraph(text);
}

void walls_section(Document& doc, const Profile& p) {
  doc.heading(2, "The walls", "walls");
  std::vector<std::vector<std::string>> rows;
  for (const auto& [id, r] : p.ratios) {
    const Walls& w = r.walls;
    if (w.compute_GFLOPps <= 0) continue;
    const Level* memory = memory_level(p, id);
    std::string mem = w.memory_GBps > 0
                          ? with_unit(w.memory_GBps, Quantity::bandwidth) + " (" + w.memory_level
                          : "no bandwidth (" + (memory ? memory->no_bandwidth_why : "no level");
    if (memory && memory->percent_of_datasheet > 0)
      mem += ", " + percent(memory->percent_of_datasheet) + " of the datasheet";
    else if (memory && memory->percent_of_theoretical > 0)
      mem += ", " + percent(memory->percent_of_theoretical) + " of theoretical";
    mem += ")";
    rows.push_back({id + ": " + name_of(p, id),
                    with_unit(w.compute_GFLOPps, flops_quantity(w.format)) + " " + w.format +
                        (w.compute_shape.empty() ? "" : ", " + w.compute_shape),
                    mem,
                    w.link_GBps > 0
                        ? with_unit(w.link_GBps, Quantity::bandwidth) + " (" + w.link + ")"
                        : "not measured: " + w.link_why_not,
                    w.flop_per_memory_byte > 0 ? sig(w.flop_per_memory_byte) : "-",
                    w.flop_per_link_byte > 0 ? sig(w.flop_per_link_byte) : "-"});
  }
  doc.table({"device", "compute (peak)", "memory bandwidth", "interconnect bandwidth",
             "FLOP per memory byte", "FLOP per interconnect byte"},
            "llllrr", rows,
            "The three walls of AI and Memory Wall (Gholami et al.): over 20 years peak FLOP/s "
            "grew 3.0x every 2 years, DRAM bandwidth 1.6x, interconnect bandwidth 1.4x");

  for (const auto& [id, formats] : p.compute) {
    if (!leads_its_group(p, id)) continue;
    const Device& d = device(p, id);
    const Scale scale = scale_for(Quantity::flops, largest_peak(formats));
    std::string common;
    for (const auto& [type, c] : formats)
      if (!c.common_shape.empty()) common = c.common_shape;
    bool datasheet = false;
    for (const auto& [type, c] : formats) datasheet = datasheet || c.percent_of_datasheet > 0;
    std::vector<std::vector<std::string>> rows;
    for (const auto& [type, c] : formats) {
      std::vector<std::string> row = {
          type, in_scale(c.peak.best, scale), in_scale(c.peak.median, scale), shape_text(c),
          c.percent_of_theoretical > 0
              ? percent(c.percent_of_theoretical, 1) + " at " + sig(c.core_mhz) + " MHz"
              : "-"};
      if (datasheet) row.push_back(percent(c.percent_of_datasheet, 1));
      if (!common.empty()) {
        row.push_back(in_scale(c.common_shape_GFLOPps, scale));
        if (datasheet) row.push_back(percent(c.common_percent_of_datasheet, 1));
      }
      rows.push_back(row);
    }
    std::vector<std::string> header = {"format", "peak (" + format_unit_header(scale) + ")",
                                       "median", "from", "of theoretical"};
    std::string align = "lrrlr";
    if (datasheet) header.push_back("of datasheet"), align += "r";
    if (!common.empty()) {
      header.push_back("at " + common);
      align += "r";
      if (datasheet) header.push_back("of datasheet at " + common), align += "r";
    }
    doc.table(header, align, rows,
              "Peak compute of " + name_of(p, id) + " on " + d.parallelism +
                  ": best of the repetitions, the median beside it" +
                  (common.empty() ? ""
                                  : "; formats compared at the one GEMM shape all were measured "
                                    "at, " +
                                        common));
    const auto& levels = levels_of(p, id);
    if (levels.empty()) continue;
    const std::vector<std::string> types = ridge_formats(p, id);
    const Scale bw = scale_for(Quantity::bandwidth, largest_bandwidth(levels));
    std::vector<std::string> mheader = {"level", "size (" + words_of(d).reported_by + ")",
                                        "bandwidth (" + bw.unit + ")", "of datasheet or theory",
                                        "latency (ns)"};
    std::string malign = "lrrrr";
    for (const std::string& t : types) mheader.push_back("ridge " + t), malign += "r";
    std::vector<std::vector<std::string>> mrows;
    for (const Level& l : levels) {
      std::vector<std::string> row = {
          l.name, size_cell(l),
          l.bandwidth_GBps > 0 ? in_scale(l.bandwidth_GBps, bw)
                               : "- (" + first_sentence(l.no_bandwidth_why) + ")",
          l.percent_of_datasheet > 0 ? percent(l.percent_of_datasheet) + " of " +
                                           with_unit(l.datasheet_GBps, Quantity::bandwidth)
          : l.percent_of_theoretical > 0 ? percent(l.percent_of_theoretical) + " of " +
                                               with_unit(l.theoretical_GBps, Quantity::bandwidth)
                                         : "-",
          l.latency_ns > 0 ? sig(l.latency_ns) : "-"};
      for (const std::string& t : types) {
        const double v = ridge(p, id, l.name, t);
        row.push_back(v > 0 ? sig(v) : "-");
      }
      mrows.push_back(row);
    }
    doc.table(mheader, malign, mrows,
              "Memory levels of " + name_of(p, id) + ": size of one instance (x instances), " +
                  "bandwidth of the level's named kernel on " + d.parallelism +
                  ", ridge point = peak / bandwidth in FLOP per byte");
    const Level* m = memory_level(p, id);
    if (m && d.kind == DeviceKind::cpu && m->percent_of_theoretical == 0 &&
        !m->theoretical_source.empty())
      doc.paragraph("DRAM theoretical bandwidth: " + m->theoretical_source + ".");
    for (const auto& g : device_groups(p))
      if (g.front() == id) group_table(doc, p, g);
  }
}

std::vector<Figure> figures_in(const std::vector<Figure>& all, const std::string& section,
                               const std::string& id) {
  std::vector<Figure> out;
  for (const Figure& f : all)
    if (f.section == section && (id.empty() || f.device == id)) out.push_back(f);
  return out;
}

void roofline_section(Document& doc, const Profile& p, const std::vector<Figure>& figures) {
  std::vector<Figure> mine;
  for (const Figure& f : figures_in(figures, "roofline", ""))
    if (leads_its_group(p, f.device)) mine.push_back(f);
  if (mine.empty()) return;
  doc.heading(2, "Roofline", "roofline");
  doc.paragraph(
      "Per device, first every number format's peak over the same ceilings, then one panel per "
      "format that has Transformer products. Each memory level with a bandwidth is a ceiling: "
      "its bandwidth times the arithmetic intensity, up to the peak; the diamonds are the ridge "
      "points. A level whose curve has no plateau has no ceiling. Products: red prefill, cyan "
      "decode, one marker shape per model.");
  for (const Figure& f : mine) doc.figure(f.file, f.caption);
}

std::string memory_method(const Profile& p, const std::string& id, const Words& w) {
  const Curves method = level_method(p, id);
  return std::string(
             "Levels come from the one-thread latency curve cut into pieces of constant latency "
             "(optimal segmentation in log-log, the number of pieces by BIC, every step at least "
             "15%); sizes on that curve are the cache lines the chase touches (span x 64 B / "
             "stride), which is what a cache holds. A level is named after the cache ") +
         (w.gpu ? "the CUDA device" : "hwloc") +
         " reports whose capacity its edge matches (x0.5..x2); a step past the last cache is "
         "address translation. " +
         (w.gpu ? ""
                : "The stream edge is where one thread's read bandwidth falls half-way (in log) "
                  "to the next level's (all threads' reads for a shared last-level cache where a "
                  "run has no one-thread curve): a stream keeps more of a cache than a slow "
                  "dependent chase. ") +
         "Each level's bandwidth is the median, over the interior of its size interval, of the "
         "best repetition of one kernel (`" +
         method.cache_kernel + "` for caches, `" + method.memory_kernel + "` for memory, `" +
         method.beside_kernel + "` beside it) on " + w.all +
         (w.gpu ? " (a private cache's interval times its instances)" : "") +
         (method.ramp_per_doubling > 0
              ? ". A level whose curve rises or falls by more than x" +
                    fixed(method.ramp_per_doubling, 2) +
                    " per doubling over its interval has no plateau and so no bandwidth: a ramp "
                    "says how a kernel's overhead scales, not what the level delivers."
              : ". A level whose curve has no plateau over its interval has no bandwidth.");
}

void memory_section(Document& doc, const Profile& p, const std::vector<Figure>& figures) {
  doc.heading(2, "Memory hierarchy", "memory");
  for (const auto& [id, levels] : p.memory) {
    if (!leads_its_group(p, id)) continue;
    const Device& d = device(p, id);
    const Words w = words_of(d);
    doc.heading(3, "Memory levels of " + name_of(p, id) + " (" + id + ")", "memory-" + id);
    doc.paragraph(memory_method(p, id, w));
    const Scale bw = scale_for(Quantity::bandwidth, largest_bandwidth(levels));
    std::string beside = "beside";
    for (const Level& l : levels)
      if (l.kind == LevelKind::memory && !l.beside_kernel.empty()) beside = l.beside_kernel;
    std::vector<std::vector<std::string>> rows;
    for (const Level& l : levels) {
      std::vector<std::string> row = {l.name, text(l.kind), bytes_text(l.detected_bytes)};
      if (!w.gpu) row.push_back(bytes_text(l.stream_edge_bytes));
      row.insert(
          row.end(),
          {size_cell(l), l.latency_ns > 0 ? fixed(l.latency_ns, 2) : "-",
           l.bandwidth_GBps > 0 ? in_scale(l.bandwidth_GBps, bw) : "-",
           l.beside_GBps > 0 ? in_scale(l.beside_GBps, bw) : "",
           l.kind == LevelKind::storage
               ? l.bandwidth_kernel + " (the best queue depth)"
               : l.bandwidth_kernel + " over " + bytes_text(l.interval_lo_bytes) + " - " +
                     (l.interval_hi_bytes > 0 ? bytes_text(l.interval_hi_bytes) : "largest"),
           (l.size_disagrees ? std::string("edge far from the reported size. ") : "") + l.note +
               (l.no_bandwidth_why.empty()
                    ? ""
                    : std::string(l.note.empty() ? "" : "; ") + l.no_bandwidth_why)});
      rows.push_back(row);
    }
    std::vector<std::string> header = {"level", "kind", "edge (lines touched)"};
    std::string align = "llr";
    if (!w.gpu) header.push_back("stream edge"), align += "r";
    header.insert(header.end(),
                  {"size (" + w.reported_by + ")", "latency (ns)", "bandwidth (" + bw.unit + ")",
                   beside + " (" + bw.unit + ")", "from", "note"});
    align += "rrrrll";
    doc.table(header, align, rows, "Levels of " + name_of(p, id) + " on " + d.parallelism);
    for (const std::string& warning : p.provenance.warnings)
      if (warning.rfind(id + ": ", 0) == 0)
        doc.paragraph("Warning: " + warning.substr(id.size() + 2));
    for (const Figure& f : figures_in(figures, "memory", id)) doc.figure(f.file, f.caption);
    for (const auto& g : device_groups(p))
      if (g.front() == id && g.size() > 1) {
        std::vector<std::string> others;
        for (size_t i = 1; i < g.size(); ++i)
          for (const Figure& f : figures_in(figures, "memory", g[i]))
            others.push_back("[" + f.file + "](" + f.file + ")");
        doc.paragraph("The levels of " + group_range(g) +
                      " are in the table of every device under **The walls**; their curves: " +
                      [&] {
                        std::string list;
                        for (const std::string& o : others) list += (list.empty() ? "" : ", ") + o;
                        return list;
                      }() +
                      ".");
      }

    const auto curves = p.curves.find(id);
    if (curves == p.curves.end()) continue;
    const Curves& c = curves->second;
    if (!c.kernels.empty()) {
      double top = 0;
      for (const KernelRow& k : c.kernels) top = std::max(top, k.GBps.best);
      const Scale ks = scale_for(Quantity::bandwidth, top);
      std::vector<std::vector<std::string>> krows;
      for (const KernelRow& k : c.kernels) {
        std::vector<std::string> row = {k.family + " " + k.variant};
        if (!w.gpu)
          row.insert(row.end(),
                     {k.pages.empty() ? "-" : k.pages, k.threads.empty() ? "-" : k.threads});
        row.insert(row.end(), {bytes_text(k.bytes), in_scale(k.GBps.best, ks),
                               in_scale(k.GBps.median, ks), fixed(100 * k.GBps.cv, 1) + "%"});
        if (!w.gpu) row.push_back(k.hw_GBps > 0 ? in_scale(k.hw_GBps, ks) : "-");
        krows.push_back(row);
      }
      std::vector<std::string> kheader = {"kernel"};
      std::string kalign = "l";
      if (!w.gpu) kheader.insert(kheader.end(), {"pages", "threads"}), kalign += "ll";
      kheader.insert(kheader.end(), {"working set", "best (" + ks.unit + ")", "median", "cv"});
      kalign += "rrrr";
      if (!w.gpu) kheader.push_back("best hw (" + ks.unit + ")"), kalign += "r";
      doc.table(kheader, kalign, krows,
                w.gpu ? "Every bandwidth kernel at its largest working set, on " + d.parallelism +
                            ": BabelStream's byte counts (read 1, write 1, copy 2, triad 3 words "
                            "per element); cv is the spread inside this run"
                      : "Every bandwidth kernel at its largest working set. GB/s counts bytes as "
                        "STREAM does (read 1, write 1, copy and scale 2, add and triad 3 words "
                        "per element); hw adds the line a plain store reads first "
                        "(write-allocate); the _nt kernels store non-temporally and have none. "
                        "cv is the spread inside this run: memory bandwidth of a shared or "
                        "virtual machine moves by tens of percent between runs (`memwall gate` "
                        "judges changes by that spread)");
    }
    if (!c.latencies.empty()) {
      std::vector<std::vector<std::string>> lrows;
      for (const LatencyRow& l : c.latencies) {
        std::vector<std::string> row = {l.family + " " + l.variant};
        if (!w.gpu) row.push_back(l.pages.empty() ? "-" : l.pages);
        row.insert(
            row.end(),
            {l.bytes > 0 ? bytes_text(l.bytes) : "-", fixed(l.latency_ns.best, 2),
             fixed(l.latency_ns.median, 2), l.stride_bytes > 0 ? bytes_text(l.stride_bytes) : "-",
             l.load_GBps > 0 ? "under " + sig(l.load_GBps) + " GB/s of load" : ""});
        lrows.push_back(row);
      }
      std::vector<std::string> lheader = {"chase"};
      std::string lalign = "l";
      if (!w.gpu) lheader.push_back("pages"), lalign += "l";
      lheader.insert(lheader.end(), {"span", "best ns", "median ns", "stride", ""});
      lalign += "rrrrl";
      doc.table(lheader, lalign, lrows,
                w.gpu ? "Latency at the spans people quote: one thread chasing pointers, "
                        "`load:ca` through the L1, `load:cg` through the L2 alone; `tlb` one "
                        "pointer per 2 MiB page, past the TLBs' reach; shared memory's own chase"
                      : "Latency at the spans people quote (multichase's -m): `chase` visits "
                        "page groups in random order and elements at random inside "
                        "(multichase's TLB locality), `chase_random` the whole buffer at random "
                        "(TLB misses included), `chase_stride` in address order (what "
                        "prefetchers hide), `loaded` the chase while the other cores stream "
                        "reads (as Intel MLC)");
    }
  }
}

void storage_section(Document& doc, const Profile& p) {
  if (p.storage.empty()) return;
  doc.heading(2, "Storage", "storage");
  const Level* level = find_level(p, "cpu", "storage");
  doc.paragraph(
      "The hierarchy's last level, measured as fio measures it: bytes and I/Os completed over "
      "the elapsed time (1 GB/s = 1e9 B/s), latency from each I/O's submission to its "
      "completion with percentiles over every completion, O_DIRECT (the device) beside "
      "buffered (through the page cache, dropped before each pass). Every sector read back is "
      "checked against what was written. Where, how and with which engine: storage0 under "
      "**Machine and method**." +
      (level && !level->note.empty() ? " " + level->note + "." : ""));
  std::vector<std::vector<std::string>> rows;
  for (const StorageRow& r : p.storage)
    rows.push_back({r.pattern + " " + r.op, r.mode, std::to_string(r.queue_depth),
                    bytes_text(r.block_bytes), sig(r.GBps.best), sig(r.GBps.median),
                    fixed(100 * r.GBps.cv, 1) + "%",
                    r.iops.best > 0 ? std::to_string(static_cast<long long>(r.iops.best)) : "-",
                    fixed(r.latency_p50_ns / 1e3, 1), fixed(r.latency_p99_ns / 1e3, 1),
                    fixed(r.latency_p999_ns / 1e3, 1)});
  doc.table({"I/O", "mode", "queue depth", "block", "best GB/s", "median GB/s", "cv", "best IOPS",
             "p50 us", "p99 us", "p99.9 us"},
            "llrrrrrrrrr", rows,
            "Every storage benchmark (" + name_of(p, "storage0") +
                "); latency percentiles of the best repetition");
  if (p.transformer.loads.empty()) return;
  std::vector<std::vector<std::string>> loads;
  for (const ModelLoad& l : p.transformer.loads)
    loads.push_back(
        {l.model, sig(l.parameters / 1e9), bytes_text(l.weights_bytes), sig(l.seconds)});
  doc.table({"model", "parameters (1e9)", "weights (" + p.transformer.loads.front().type + ")",
             "seconds to load"},
            "lrrr", loads,
            "Loading each catalog model's weights from this storage into memory at its "
            "sequential read bandwidth (" +
                sig(p.transformer.loads.front().GBps) +
                " GB/s): parameters of the matrix products and embeddings, 2 bytes each");
}

void compute_section(Document& doc, const Profile& p) {
  if (p.compute.empty()) return;
  doc.heading(2, "Peak compute", "compute");
  doc.paragraph(
      "FLOPs count 2 per multiply-add (int8: operations, OP/s). FMA and dot-product kernels keep "
      "every pipe busy with independent chains and check the exact final value; their "
      "theoretical peak is units x operations per cycle (from the CPU-model table, an override "
      "or an assumption, as `how` says; for a GPU its SMs x lanes) x the clock counted during "
      "the kernel. Library GEMMs count 2 x M x N x K and are checked against a reference on "
      "sampled entries. Every path is listed; the fastest is the roof.");
  for (const auto& [id, formats] : p.compute) {
    if (!leads_its_group(p, id)) continue;
    const Scale scale = scale_for(Quantity::flops, largest_peak(formats));
    std::vector<std::vector<std::string>> rows;
    for (const auto& [type, c] : formats)
      for (const ComputePath& path : c.paths)
        rows.push_back({type, path.path, path.shape.empty() ? "-" : path.shape,
                        in_scale(path.rate.best, scale), in_scale(path.rate.median, scale),
                        fixed(100 * path.rate.cv, 1) + "%",
                        path.benchmark == c.peak_benchmark && c.theoretical_GFLOPps > 0
                            ? in_scale(c.theoretical_GFLOPps, scale) + " (" +
                                  percent(c.percent_of_theoretical, 1) + ")"
                            : "-",
                        path.benchmark == c.peak_benchmark ? "roof" : ""});
    doc.table({"format", "path", "shape", "best (" + format_unit_header(scale) + ")", "median",
               "cv", "theoretical", ""},
              "lllrrrrl", rows, "Every way each format was measured on " + name_of(p, id));
    std::vector<std::string> notes;
    for (const auto& [type, c] : formats)
      if (!c.how.empty()) notes.push_back(type + ": " + c.how);
    if (!notes.empty()) doc.list(notes);
  }
}

void energy_section(Document& doc, const Profile& p) {
  if (p.energy.empty()) return;
  doc.heading(2, "Energy", "energy");
  doc.paragraph(
      "Board energy over the benchmark's timed loop (NVML's total-energy counter where the GPU "
      "has it), over the FLOPs or bytes it did: pJ per FLOP for the fastest GEMM of each format, "
      "pJ per byte for the memory level's kernel at its largest working set (STREAM bytes). The "
      "median over the repetitions, their range beside it. The datasheet column is TDP over the "
      "published peak or bandwidth: what a FLOP or a byte would cost if the whole board power "
      "went to it at the published rate.");
  std::vector<std::vector<std::string>> rows;
  for (const auto& [id, e] : p.energy)
    for (const EnergyRow& r : e.rows)
      rows.push_back(
          {id, r.what, sig(r.energy_pJ.median),
           r.energy_pJ.repetitions > 1 ? sig(r.energy_pJ.min) + " - " + sig(r.energy_pJ.max) : "-",
           r.power_W.median > 0 ? sig(r.power_W.median) : "-",
           r.power_W.repetitions > 1 ? sig(r.power_W.min) + " - " + sig(r.power_W.max) : "-",
           r.datasheet_pJ > 0 ? sig(r.datasheet_pJ) : "-", r.unit});
  doc.table({"device", "what", "measured (median)", "range", "power W (median)", "range",
             "datasheet TDP / peak", "unit"},
            "llrrrrrl", rows, "Energy per FLOP and per byte");
}

void models_section(Document& doc, const Profile& p, const std::vector<Figure>& figures) {
  if (p.models.empty()) return;
  doc.heading(2, "Models on this machine", "models");
  doc.paragraph(
      "Predicted from this profile alone (`memwall predict` does the same for any model, a "
      "Hugging Face config.json included): every matrix product of a step at the lower of the "
      "format's measured peak and the bandwidth of its memory level's read kernel (weights and "
      "KV cache are only read), summed over the layers and the LM head. A prediction is a roof: "
      "a measured step should not beat it.");
  std::vector<std::string> lines;
  for (const ModelPrediction& m : p.models) {
    if (m.role == PredictionRole::headline) lines.push_back(model_line(m));
    if (m.role != PredictionRole::largest || m.memory_bytes <= 0) continue;
    lines.push_back(
        m.spill_bytes > 0
            ? m.model + " " + m.type + " does not fit in " + m.device + "'s " +
                  bytes_text(m.memory_bytes) + ": " + bytes_text(m.spill_bytes) +
                  " of its weights stay in host memory and cross " +
                  (m.spill_GBps > 0
                       ? m.spill_link + " at " + with_unit(m.spill_GBps, Quantity::bandwidth)
                       : std::string("an unmeasured host link")) +
                  " every step: at most **" + sig(m.decode.tokens_per_s) +
                  " tokens/s** at batch 1 (" + m.decode.bound + "-bound)."
            : m.model + " " + m.type + " fits in " + m.device + "'s " + bytes_text(m.memory_bytes) +
                  " beside " + sig(m.largest_batch_x_context) + " tokens of KV cache: at most **" +
                  sig(m.decode.tokens_per_s) + " tokens/s** at batch 1.");
  }
  doc.list(lines);
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> faster, slower;
  for (const ModelPrediction& m : p.models) {
    if (m.role != PredictionRole::measured) continue;
    const StepPrediction& s = m.phase == "prefill" ? m.prefill : m.decode;
    const double ratio = m.measured_s > 0 ? m.measured_s / s.seconds : 0;
    rows.push_back({m.device, m.model, m.phase, m.type, std::to_string(m.batch),
                    std::to_string(m.context), seconds_text(s.seconds), text(s.bound),
                    m.measured_s > 0 ? seconds_text(m.measured_s) : "-",
                    ratio > 0 ? fixed(ratio, 2) : "-", m.measured_how});
    if (ratio > 1.15 && m.miss_as_step_ran) {
      slower.push_back(m.model + " " + m.phase + " on " + m.device + " (" + m.type + ") takes " +
                       fixed(ratio, 2) + "x its prediction; the product that misses most, as " +
                       "the step ran it, is `" + m.miss_op + "` at " + fixed(m.miss_percent, 0) +
                       "% of its " + m.miss_roof + " roof, " + seconds_text(m.miss_seconds) +
                       " of the step");
    } else if (ratio > 1.15 && !m.miss_op.empty()) {
      slower.push_back(m.model + " " + m.phase + " on " + m.device + " (" + m.type + ") takes " +
                       fixed(ratio, 2) + "x its prediction; the product that misses most is `" +
                       m.miss_op + "` at " + fixed(m.miss_percent, 0) + "% of its " + m.miss_roof +
                       " roof" + (m.miss_how.empty() ? "" : " (" + m.miss_how + ")") + ", " +
                       seconds_text(m.miss_seconds) + " of the step");
    }
    if (ratio > 0 && ratio < 0.95)
      faster.push_back(m.model + " " + m.phase + " on " + m.device + " (" + m.type +
                       "): measured " + fixed(100 / ratio, 0) +
                       "% of the predicted rate, above its roof: its products' notes in the "
                       "Transformer section say why");
  }
  if (!rows.empty())
    doc.table({"device", "model", "phase", "format", "batch", "context", "predicted step", "bound",
               "measured step", "measured / predicted", "measured as"},
              "llllrrrlrrl", rows, "Model steps: predicted from the roofs beside measured");
  if (!slower.empty()) {
    doc.paragraph("Steps more than 15% slower than predicted, and the product that misses most:");
    doc.list(slower);
  }
  if (!faster.empty()) doc.list(faster);
  for (const Figure& f : figures_in(figures, "models", "")) doc.figure(f.file, f.caption);
}

void transformer_section(Document& doc, const Profile& p) {
  if (p.transformer.ops.empty()) return;
  doc.heading(2, "Transformer products", "transformer");
  doc.paragraph(
      "FLOPs = 2 x M x N x K; bytes = the least each product moves (weights, activations in and "
      "out, KV cache; grouped-query attention shares K and V); intensity = FLOPs / bytes. Each "
      "product is placed on its own device's roofline for its format, at the fastest level its "
      "operands fit in (`fits in`); where that level has no bandwidth it is judged by the next "
      "slower level's roof (`roof`). A product that only reads its weights and KV cache from "
      "memory (its outputs under a tenth of its bytes) is judged by the bandwidth of the kernel "
      "that moves bytes as it does, the level's read kernel, not the level's named one, at the "
      "span it streams where the read curve still slopes there (`read at` that span); where "
      "the run measured that read again after the products (a shared host's bandwidth moves "
      "within a run), at the better of the two moments. Products measured cold rotate through "
      "copies of their operands (as a model streams each "
      "layer once a token) and are placed by the bytes of all their copies. `bound` compares "
      "the intensity with that roof's ridge point, and `% of roof` is the rate over the "
      "attainable rate there.");
  std::set<std::string> ids;
  for (const Product& op : p.transformer.ops) ids.insert(op.device);
  std::vector<std::string> ordered(ids.begin(), ids.end());
  std::sort(ordered.begin(), ordered.end(), DeviceOrder());
  for (const std::string& id : ordered) {
    double top_rate = 0, top_bw = 0;
    for (const Product& op : p.transformer.ops)
      if (op.device == id)
        top_rate = std::max(top_rate, op.GFLOPps), top_bw = std::max(top_bw, op.GBps);
    const Scale rate = scale_for(Quantity::flops, top_rate);
    const Scale bw = scale_for(Quantity::bandwidth, top_bw);
    std::vector<std::vector<std::string>> rows;
    std::vector<std::string> above;
    for (const Product& op : p.transformer.ops) {
      if (op.device != id) continue;
      rows.push_back({op.type, op.model, op.phase, op.op, fixed(op.batch, 0), fixed(op.seq, 0),
                      sig(op.intensity_flop_per_byte), in_scale(op.GFLOPps, rate),
                      in_scale(op.GBps, bw), op.operands_fit_in.empty() ? "-" : op.operands_fit_in,
                      op.roof_level.empty() ? "-" : op.roof_level, text(op.bound),
                      op.percent_of_roofline > 0 ? fixed(op.percent_of_roofline, 0) : "-"});
      if (!op.above_roof_because.empty())
        above.push_back("`" + op.name + "`: " + fixed(op.percent_of_roofline, 0) +
                        "% of its roof: " + op.above_roof_because);
    }
    doc.table({"format", "model", "phase", "op", "batch", "seq", "FLOP/B", rate.unit, bw.unit,
               "fits in", "roof", "bound", "% of roof"},
              "llllrrrrrlllr", rows,
              "Every product measured on " + name_of(p, id) + " (best of the repetitions)");
    std::set<std::string> notes;
    for (const Product& op : p.transformer.ops)
      if (op.device == id && !op.roof_note.empty()) notes.insert(op.roof_note);
    for (const std::string& n : notes) doc.paragraph("Note: " + n + ".");
    if (!above.empty()) {
      doc.paragraph("Products above their roof, and why:");
      doc.list(above);
    }
  }
  if (!p.transformer.steps.empty()) {
    std::vector<std::vector<std::string>> rows;
    for (const ModelStep& s : p.transformer.steps)
      rows.push_back({s.device, s.model, s.phase, s.type, fixed(s.batch, 0), fixed(s.seq, 0),
                      fixed(1e3 * s.step_seconds, 2), sig(s.tokens_per_second)});
    doc.table({"device", "model", "phase", "format", "batch", "seq", "step (ms)", "tokens/s"},
              "llllrrrr", rows,
              "Model steps: layers x the measured layer + the LM head (no attention softmax, "
              "norms or sampling)");
  }
}

// The NUMA matrix as a matrix (a row per node's cores, a column per node's memory), and each
// node's own memory beside the median node: where nodes differ (HBM, CXL, a channel down) the
// levels differ by node, and one DRAM figure for the machine would hide it.
void numa_tables(Document& doc, const std::vector<NumaCell>& cells,
                 const std::vector<NumaNode>& nodes) {
  int cpus = 0, memories = 0;
  for (const NumaCell& c : cells)
    cpus = std::max(cpus, c.cpus + 1), memories = std::max(memories, c.memory + 1);
  std::vector<std::string> kinds(memories);
  std::vector<std::vector<const NumaCell*>> at(cpus, std::vector<const NumaCell*>(memories));
  for (const NumaCell& c : cells) at[c.cpus][c.memory] = &c, kinds[c.memory] = c.memory_kind;
  std::vector<std::string> header = {"cores of node"};
  std::string align = "r";
  for (int m = 0; m < memories; ++m)
    header.push_back("memory " + std::to_string(m) + (kinds[m].empty() ? "" : " " + kinds[m])),
        align += "r";
  std::vector<std::vector<std::string>> rows;
  for (int c = 0; c < cpus; ++c) {
    std::vector<std::string> row = {std::to_string(c)};
    for (int m = 0; m < memories; ++m)
      row.push_back(at[c][m]
                        ? sig(at[c][m]->read_GBps) + " GB/s, " + sig(at[c][m]->latency_ns) + " ns"
                        : "-");
    rows.push_back(row);
  }
  doc.table(header, align, rows,
            "NUMA matrix: read bandwidth and latency from each node's cores to each node's "
            "memory");
  if (nodes.empty()) return;
  std::vector<std::vector<std::string>> rows_by_node;
  for (const NumaNode& n : nodes)
    rows_by_node.push_back(
        {std::to_string(n.memory), n.memory_kind.empty() ? "-" : n.memory_kind, sig(n.read_GBps),
         sig(n.latency_ns),
         (n.percent_from_median >= 0 ? "+" : "") + fixed(n.percent_from_median, 0) + "%",
         n.differs ? "differs" : ""});
  doc.table(
      {"memory node", "kind", "read GB/s (nearest cores)", "latency ns", "vs median node", ""},
      "rlrrrl", rows_by_node,
      "Memory per NUMA node, each from its nearest cores: a node more than 10% from the "
      "median node is marked");
}

void interconnect_section(Document& doc, const Profile& p, const std::vector<Figure>& figures) {
  const Links& l = p.links;
  if (l.host.empty() && l.peers.empty() && l.nccl.empty() && l.mpi_p2p.empty() &&
      l.mpi_collectives.empty() && l.c2c.empty() && l.numa.empty())
    return;
  doc.heading(2, "Interconnect", "interconnect");
  doc.paragraph(
      "The host link of each GPU as nvbandwidth separates it (copy engines or SMs, pinned or "
      "pageable host memory; latency of a 4-byte copy). Peer-to-peer between GPUs at the largest "
      "size. Collectives give the slowest rank's time and nccl-tests' algbw (size / time) and "
      "busbw (algbw x 2(n-1)/n for allreduce, (n-1)/n for allgather, reduce_scatter and "
      "alltoall, 1 for broadcast and reduce). MPI point-to-point follows the OSU micro-benchmarks "
      "(one-way latency of a ping-pong, a window of 64 non-blocking sends for bandwidth). "
      "Core-to-core latency is one way (half the round trip of a cache line bounced between two "
      "pinned threads).");
  if (!l.host.empty()) {
    std::vector<std::vector<std::string>> rows;
    for (const HostLink& h : l.host)
      rows.push_back({h.device, spaced(h.name), h.link, h.memory,
                      h.engine == "ce" ? "copy engine" : "SMs", sig(h.bandwidth_GBps),
                      sig(h.bandwidth_median_GBps), bytes_text(h.bytes),
                      h.latency_ns > 0 ? fixed(h.latency_ns / 1e3, 2) : "-"});
    doc.table({"device", "link", "kind", "host memory", "engine", "best GB/s", "median GB/s", "at",
               "latency (us, 4 B)"},
              "lllllrrrr", rows, "Host links (bidir: both directions at once, summed)");
  }
  if (!l.peers.empty()) {
    std::map<std::pair<std::string, std::string>, std::vector<double>> by_kind;
    for (const PeerLink& x : l.peers) by_kind[{x.engine, x.direction}].push_back(x.bandwidth_GBps);
    std::vector<std::vector<std::string>> rows;
    for (auto& [kind, v] : by_kind) {
      std::sort(v.begin(), v.end());
      rows.push_back({kind.first == "ce" ? "copy engine" : "SMs",
                      kind.second == "bidir" ? "both ways" : "one way", std::to_string(v.size()),
                      sig(v.front()), sig(v[v.size() / 2]), sig(v.back())});
    }
    doc.table({"engine", "direction", "pairs", "slowest GB/s", "median GB/s", "fastest GB/s"},
              "llrrrr", rows, "GPU peer-to-peer bandwidth over every measured pair");
  }
  for (const auto* list : {&l.nccl, &l.mpi_collectives}) {
    if (list->empty()) continue;
    std::vector<std::vector<std::string>> rows;
    for (const Collective& c : *list)
      rows.push_back({c.name, c.inplace == "1" ? "in place" : "", std::to_string(c.ranks),
                      c.nodes > 1 ? std::to_string(c.nodes) : "1", bytes_text(c.bytes),
                      c.no_bandwidth_why.empty() ? sig(c.algGBps) : "path check",
                      c.no_bandwidth_why.empty() ? sig(c.busGBps) : "-", bytes_text(c.small_bytes),
                      c.small_latency_ns > 0 ? fixed(c.small_latency_ns / 1e3, 2) : "-"});
    const std::string library = list->front().library;
    doc.table({"collective", "", "ranks", "nodes", "size", "algbw GB/s", "busbw GB/s", "small",
               "latency us (small)"},
              "llrrrrrrr", rows,
              library + " collectives at their largest size" +
                  (library == "MPI" && !l.mpi_launcher.empty() ? " (" + l.mpi_launcher + ")" : ""));
  }
  if (!l.mpi_p2p.empty()) {
    std::vector<std::vector<std::string>> rows;
    for (const PointToPoint& x : l.mpi_p2p)
      rows.push_back({x.placement == "other_node" ? "other node" : "same node",
                      x.latency_ns > 0 ? fixed(x.latency_ns / 1e3, 3) : "-",
                      bytes_text(x.latency_bytes), sig(x.bw_GBps), sig(x.bibw_GBps),
                      bytes_text(x.bw_bytes)});
    doc.table({"ranks on", "latency (us)", "at", "bandwidth GB/s", "bidirectional GB/s", "at"},
              "lrrrrr", rows,
              "MPI point-to-point (" + l.mpi_launcher +
                  (l.mpi_hosts.size() > 1 ? "; hosts " +
                                                [&] {
                                                  std::string h;
                                                  for (const std::string& x : l.mpi_hosts)
                                                    h += (h.empty() ? "" : ", ") + x;
                                                  return h;
                                                }()
                                          : "") +
                  ")");
  }
  if (!l.c2c.empty()) {
    std::vector<std::vector<std::string>> rows;
    for (const auto& [shared, v] : l.c2c_median_latency_ns) rows.push_back({shared, fixed(v, 1)});
    doc.table({"the two units share", "one-way latency (ns, median over pairs)"}, "lr", rows,
              "Core-to-core latency by distance (" + std::to_string(l.c2c.size()) + " pairs)");
  }
  if (!l.numa.empty()) numa_tables(doc, l.numa, l.numa_nodes);
  for (const Figure& f : figures_in(figures, "interconnect", "")) doc.figure(f.file, f.caption);
}

void trend_section(Document& doc, const Profile& p, const std::vector<Figure>& figures) {
  const auto mine = figures_in(figures, "trend", "");
  if (mine.empty()) return;
  doc.heading(2, "This machine against the trend", "trend");
  for (const Figure& f : mine) doc.figure(f.file, f.caption);
  std::vector<std::string> notes;
  for (const TrendPlacement& d : p.trend.devices)
    notes.push_back(d.why_not.empty()
                        ? d.device + " (" + d.name + ") at " + fixed(d.year - 0.5, 0) + ", from " +
                              d.datasheet + (d.link > 0 ? "; its link is " + d.link_name : "")
                        : d.device + " (\"" + d.name + "\") is not placed: " + d.why_not);
  if (!notes.empty()) doc.list(notes);
}

std::string device_method(const Profile& p, const std::string& id) {
  const Device& d = device(p, id);
  if (d.kind == DeviceKind::storage) {
    std::string engine = "its I/O engine";
    for (const ContextItem& c : d.context)
      if (c.key == "engine") engine = c.value;
    return "Method on " + name_of(p, id) +
           ": every benchmark repeats (best, median and cv beside it). I/O as fio does it: " +
           engine +
           ", on a test file that has no name (freed when bench_io exits), O_DIRECT where the "
           "file system allows it, else buffered with the pages dropped before each pass; every "
           "sector read back is checked. Counted as fio counts: bytes and I/Os completed over "
           "the elapsed time (1 GB/s = 1e9 B/s), latency from submission to completion, "
           "percentiles by nearest rank.";
  }
  if (d.kind == DeviceKind::gpu) {
    double stride = 0;
    if (p.curves.count(id))
      for (const LatencyRow& r : p.curves.at(id).latencies)
        if (r.variant.rfind("chase", 0) == 0) stride = r.stride_bytes;
    return "Method on " + name_of(p, id) +
           ": every benchmark repeats (best, median and cv beside it). Bandwidth uses "
           "BabelStream's kernels and byte counts on " +
           d.parallelism +
           ", each size's best over load widths, blocks per SM and vectors per thread, never "
           "more blocks than the SMs hold at once; the L2's own bandwidth comes from loads "
           "through the L2 alone (ld.global.cg). Latency: one thread chases pointers through " +
           (stride > 0 ? bytes_text(stride) : std::string("128-byte")) +
           " lines, with ld.global.ca (through the L1) and ld.global.cg (the L2 only). Peaks: FMA "
           "chains on every SM at the SM clock counted during the kernel; tensor cores through "
           "cuBLASLt (every heuristic candidate timed, the fastest kept, the result checked on a "
           "sample). The host link as nvbandwidth separates it. Energy from NVML's total-energy "
           "counter over each timed loop.";
  }
  std::string stride = "256-byte";
  for (const ContextItem& c : d.context)
    if (c.key == "chase stride (bytes)") stride = c.value + "-byte";
  return "Method on " + name_of(p, id) +
         ": every benchmark repeats (best = max for rates, min for latency; median and the "
         "coefficient of variation beside it) and each sample lasts at least 0.1 s of passes for "
         "bandwidth. Threads are pinned one per core through hwloc and first-touch their own "
         "part of the arrays. Bandwidth uses STREAM's kernels and byte counts (1 GB/s = 1e9 "
         "bytes/s) on huge pages (transparent, asked for with madvise and checked); latency is a "
         "dependent pointer chase with one pointer per " +
         stride +
         " element in page groups, as multichase measures it. Peak FLOP/s come from independent "
         "FMA chains whose final value is checked; matrix products run through the BLAS "
         "(OpenBLAS, oneDNN) and are checked against a double-precision reference on sampled "
         "entries.";
}

void machine_section(Document& doc, const Profile& p) {
  doc.heading(2, "Machine and method", "method");
  std::vector<std::vector<std::string>> host;
  for (const ContextItem& c : p.host) host.push_back({c.key, c.value});
  doc.table({"host and run", "value"}, "ll", host, "Where and how this was measured");
  for (const auto& g : device_groups(p)) {
    const std::string& id = g.front();
    const Device& d = p.devices.at(id);
    std::vector<std::vector<std::string>> rows;
    for (const ContextItem& c : d.context) rows.push_back({c.key, c.value});
    if (!d.datasheet.name.empty())
      rows.push_back({"datasheet row", d.datasheet.name + (d.datasheet.match == "generation"
                                                               ? " (its generation: year only)"
                                                               : "")});
    doc.table({id, "value"}, "ll", rows, name_of(p, id));
    if (g.size() > 1) {
      // The same model: only what differs between them.
      std::vector<std::string> keys;
      for (const ContextItem& c : d.context)
        for (size_t i = 1; i < g.size(); ++i) {
          const auto& other = p.devices.at(g[i]).context;
          const auto it = std::find_if(other.begin(), other.end(),
                                       [&](const ContextItem& o) { return o.key == c.key; });
          if ((it == other.end() || it->value != c.value) &&
              std::find(keys.begin(), keys.end(), c.key) == keys.end())
            keys.push_back(c.key);
        }
      std::vector<std::string> header = {"device"};
      header.insert(header.end(), keys.begin(), keys.end());
      std::vector<std::vector<std::string>> drows;
      for (const std::string& other : g) {
        std::vector<std::string> row = {other};
        for (const std::string& k : keys) {
          std::string v = "-";
          for (const ContextItem& c : p.devices.at(other).context)
            if (c.key == k) v = c.value;
          row.push_back(v);
        }
        drows.push_back(row);
      }
      doc.table(header, std::string(header.size(), 'l'), drows,
                keys.empty()
                    ? "Every " + name_of(p, id) + " of this machine has the context above"
                    : "Where the " + std::to_string(g.size()) + " " + name_of(p, id) + "s differ");
    }
    doc.paragraph(device_method(p, id));
  }
}

// Benchmarks whose counters a family declared itself: no section knows them, so they are
// listed as measured.
void other_section(Document& doc, const Profile& p) {
  if (p.counters.empty()) return;
  doc.heading(2, "Other measurements", "other");
  std::vector<std::vector<std::string>> rows;
  for (const Metric& m : p.metrics)
    for (const DeclaredCounter& c : p.counters)
      if (m.counter == c.name) {
        const Spread s = spread_of(m.samples, m.higher_is_better);
        rows.push_back({"`" + m.name + "`", c.name + " (" + c.unit + ")", sig(s.best),
                        sig(s.median), fixed(100 * s.cv, 1) + "%", c.meaning});
      }
  doc.table({"benchmark", "counter", "best", "median", "cv", "meaning"}, "llrrrl", rows,
            "Counters their families declared (best: " +
                std::string("the max of a rate, the min of a latency, over the repetitions)"));
}

void problems_section(Document& doc, const Profile& p) {
  doc.heading(2, "Failed or skipped", "problems");
  std::vector<std::string> items;
  const Provenance& prov = p.provenance;
  for (const std::string& n : prov.run_notes) items.push_back(n);
  for (const Problem& f : prov.failed) items.push_back("**failed** `" + f.name + "`: " + f.why);
  int interrupted = 0;
  for (const Problem& s : prov.skipped) {
    if (s.why == "interrupted") {
      ++interrupted;
      continue;
    }
    items.push_back("skipped `" + s.name + "`: " + s.why);
  }
  if (interrupted)
    items.push_back(std::to_string(interrupted) +
                    " benchmarks not run: the run was interrupted before them");
  for (const std::string& w : prov.warnings) items.push_back(w);
  if (items.empty())
    doc.paragraph("Nothing failed or was skipped; every kernel's output check passed.");
  else
    doc.list(items);
}

}  // namespace

std::string primary_device(const Profile& p) {
  for (const auto& [id, d] : p.devices)
    if (d.kind == DeviceKind::gpu) return id;
  return p.devices.empty() ? "" : p.devices.begin()->first;
}

std::vector<std::string> data_files(const Profile& p) {
  std::vector<std::string> files = {"profile.json", "metrics.csv", "profile.csv", "report.tex"};
  for (const InputFile& f : p.provenance.inputs) files.push_back(f.path);
  return files;
}

Document report_document(const Profile& p) {
  Document doc;
  const std::string primary = primary_device(p);
  std::vector<std::string> gpus = devices_of_kind(p, DeviceKind::gpu);
  std::string host_cpu;
  for (const ContextItem& c : p.host)
    if (c.key == "host CPU") host_cpu = c.value;
  if (primary.empty())
    doc.title = "memwall report";
  else if (gpus.empty())
    doc.title = "memwall report: " + name_of(p, primary);
  else {
    std::map<std::string, int> names;
    for (const std::string& g : gpus) ++names[name_of(p, g)];
    std::string list;
    for (const auto& [name, n] : names)
      list += (list.empty() ? "" : ", ") + (n > 1 ? std::to_string(n) + " x " : "") + name;
    doc.title =
        "memwall report: " + list +
        (p.devices.count("cpu") ? " and " + name_of(p, "cpu")
                                : " (host: " + (host_cpu.empty() ? "not named" : host_cpu) + ")");
  }
  std::string date, host;
  for (const ContextItem& c : p.host) {
    if (c.key == "date") date = c.value.substr(0, 10);
    if (c.key == "host") host = c.value;
  }
  doc.subtitle = "Report by memwall " + p.provenance.memwall_version + " (commit " +
                 p.provenance.git_commit + ", " + p.provenance.build_type + ")" +
                 (date.empty() ? "" : "; measured " + date) + (host.empty() ? "" : " on " + host) +
                 " from " + std::to_string(p.provenance.inputs.size()) + " result file" +
                 (p.provenance.inputs.size() == 1 ? "" : "s");
  const std::vector<Figure> figures = figures_of(p);
  verdict(doc, p);
  if (const std::string health = health_line(p); !health.empty()) doc.paragraph(health);
  doc.paragraph(reproduce_line(p));
  // The built-in sections by their order; each figure module's section stands among them by
  // its section_order (harness/figure.hpp).
  const std::vector<std::pair<int, std::function<void()>>> sections = {
      {10, [&] { walls_section(doc, p); }},
      {20, [&] { roofline_section(doc, p, figures); }},
      {30, [&] { memory_section(doc, p, figures); }},
      {50, [&] { storage_section(doc, p); }},
      {60, [&] { compute_section(doc, p); }},
      {70, [&] { energy_section(doc, p); }},
      {80, [&] { transformer_section(doc, p); }},
      {90, [&] { models_section(doc, p, figures); }},
      {100, [&] { interconnect_section(doc, p, figures); }},
      {110, [&] { trend_section(doc, p, figures); }},
      {120, [&] { health_section(doc, p); }},
      {130, [&] { other_section(doc, p); }},
      {140, [&] { machine_section(doc, p); }},
      {150, [&] { problems_section(doc, p); }}};
  auto module = figure_modules().begin();
  auto modules_before = [&](int order) {
    for (; module != figure_modules().end() && module->section_order < order; ++module)
      if (module->section) module->section(p, figures, doc);
  };
  for (const auto& [order, write] : sections) {
    modules_before(order);
    write();
  }
  modules_before(std::numeric_limits<int>::max());
  doc.heading(2, "Data files", "data");
  std::vector<std::string> links;
  for (const std::string& f : data_files(p)) links.push_back("[" + f + "](" + f + ")");
  doc.list(links);
  return doc;
}

}  // namespace memwall::harness
