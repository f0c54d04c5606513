#include "harness/report/writers.hpp"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>

#include "harness/figure.hpp"
#include "harness/format.hpp"
#include "harness/report/content.hpp"
#include "harness/report/document.hpp"
#include "harness/report/plots.hpp"
#include "harness/report/tex.hpp"

namespace memwall::harness {

namespace {

std::string csv_cell(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

class ProfileJsonWriter : public ReportWriter {
 public:
  std::vector<OutputFile> write(const Profile& p, const ReportOptions&) const override {
    return {{"profile.json", profile_json_text(p)}};
  }
};

class SummaryWriter : public ReportWriter {
 public:
  std::vector<OutputFile> write(const Profile& p, const ReportOptions&) const override {
    return {{"summary.md", MarkdownWriter().write(report_document(p))}};
  }
};

class HtmlReportWriter : public ReportWriter {
 public:
  std::vector<OutputFile> write(const Profile& p, const ReportOptions&) const override {
    std::map<std::string, std::string> svgs;
    for (const Figure& f : figures_of(p)) svgs[f.file] = f.render();
    return {{"report.html", HtmlWriter(svgs).write(report_document(p))}};
  }
};

class CsvWriter : public ReportWriter {
 public:
  std::vector<OutputFile> write(const Profile& p, const ReportOptions&) const override {
    return {{"metrics.csv", metrics_csv(p)}, {"profile.csv", profile_csv(p)}};
  }
};

class TexWriter : public ReportWriter {
 public:
  std::vector<OutputFile> write(const Profile& p, const ReportOptions& o) const override {
    return {{"report.tex", latex_tables(p, o.tex_wide)}};
  }
};

class FigureWriter : public ReportWriter {
 public:
  std::vector<OutputFile> write(const Profile& p, const ReportOptions&) const override {
    std::vector<OutputFile> out;
    for (const Figure& f : figures_of(p)) out.push_back({f.file, f.render()});
    return out;
  }
};

void row(std::ostringstream& out, const std::string& section, const std::string& device,
         const std::string& item, const std::string& quantity, double value,
         const std::string& unit) {
  if (value == 0) return;  // not measured
  out << section << "," << csv_cell(device) << "," << csv_cell(item) << "," << quantity << ","
      << exact(value) << "," << unit << "\n";
}

}  // namespace

const std::vector<std::unique_ptr<ReportWriter>>& report_writers() {
  static const std::vector<std::unique_ptr<ReportWriter>> writers = [] {
    std::vector<std::unique_ptr<ReportWriter>> w;
    w.push_back(std::make_unique<ProfileJsonWriter>());
    w.push_back(std::make_unique<SummaryWriter>());
    w.push_back(std::make_unique<HtmlReportWriter>());
    w.push_back(std::make_unique<CsvWriter>());
    w.push_back(std::make_unique<TexWriter>());
    w.push_back(std::make_unique<FigureWriter>());
    return w;
  }();
  return writers;
}

std::string metrics_csv(const Profile& p) {
  std::ostringstream out;
  out << "name,counter,higher_is_better,best,median,cv,repetitions\n";
  for (const Metric& m : p.metrics) {
    const Spread s = spread_of(m.samples, m.higher_is_better);
    out << csv_cell(m.name) << "," << m.counter << "," << (m.higher_is_better ? 1 : 0) << ","
        << exact(m.best) << "," << exact(m.median) << "," << exact(s.cv) << "," << s.repetitions
        << "\n";
  }
  return out.str();
}

std::string profile_csv(const Profile& p) {
  std::ostringstream out;
  out << "section,device,item,quantity,value,unit\n";
  for (const auto& [id, levels] : p.memory)
    for (const Level& l : levels) {
      row(out, "memory", id, l.name, "bandwidth_GBps", l.bandwidth_GBps, "GB/s");
      row(out, "memory", id, l.name + " " + l.beside_kernel, "beside_GBps", l.beside_GBps, "GB/s");
      row(out, "memory", id, l.name, "latency_ns", l.latency_ns, "ns");
      row(out, "memory", id, l.name, "size_bytes", l.size_bytes, "bytes");
      row(out, "memory", id, l.name, "capacity_bytes", l.capacity_bytes, "bytes");
      row(out, "memory", id, l.name, "detected_bytes", l.detected_bytes, "bytes");
      row(out, "memory", id, l.name, "percent_of_datasheet", l.percent_of_datasheet, "%");
      row(out, "memory", id, l.name, "percent_of_theoretical", l.percent_of_theoretical, "%");
    }
  for (const auto& [id, formats] : p.compute)
    for (const auto& [type, c] : formats) {
      const std::string item = type + (c.peak_shape.empty() ? "" : " " + c.peak_shape);
      row(out, "compute", id, item, "peak_GFLOPps", c.peak.best, c.unit);
      row(out, "compute", id, item, "peak_median_GFLOPps", c.peak.median, c.unit);
      row(out, "compute", id, type, "single_thread_GFLOPps", c.single_thread_GFLOPps, c.unit);
      row(out, "compute", id, type, "theoretical_GFLOPps", c.theoretical_GFLOPps, c.unit);
      row(out, "compute", id, type, "percent_of_datasheet", c.percent_of_datasheet, "%");
      row(out, "compute", id, type + " " + c.common_shape, "common_shape_GFLOPps",
          c.common_shape_GFLOPps, c.unit);
    }
  for (const auto& [id, r] : p.ratios) {
    for (const auto& [level, types] : r.ridge_flop_per_byte)
      for (const auto& [type, v] : types)
        row(out, "ridge", id, level + " " + type, "ridge_point", v, "FLOP/byte");
    const Walls& w = r.walls;
    const std::string unit = w.format == "int8" ? "GOP/s" : "GFLOP/s";
    row(out, "walls", id, w.format + (w.compute_shape.empty() ? "" : " " + w.compute_shape),
        "compute_GFLOPps", w.compute_GFLOPps, unit);
    row(out, "walls", id, w.memory_level, "memory_GBps", w.memory_GBps, "GB/s");
    row(out, "walls", id, w.format + " / " + w.memory_level, "flop_per_memory_byte",
        w.flop_per_memory_byte, "FLOP/byte");
    row(out, "walls", id, w.link, "link_GBps", w.link_GBps, "GB/s");
    row(out, "walls", id, w.format + " / " + w.link, "flop_per_link_byte", w.flop_per_link_byte,
        "FLOP/byte");
  }
  for (const HostLink& h : p.links.host) {
    const std::string item = h.name + " " + h.memory + " " + h.engine;
    row(out, "link", h.device, item, "bandwidth_GBps", h.bandwidth_GBps, "GB/s");
    row(out, "link", h.device, item, "latency_ns", h.latency_ns, "ns");
  }
  for (const PeerLink& l : p.links.peers)
    row(out, "link", "gpu" + std::to_string(l.from),
        "to gpu" + std::to_string(l.to) + " " + l.engine + " " + l.direction, "bandwidth_GBps",
        l.bandwidth_GBps, "GB/s");
  for (const auto* list : {&p.links.nccl, &p.links.mpi_collectives})
    for (const Collective& c : *list) {
      const std::string item = c.name + " inplace:" + c.inplace +
                               " ranks:" + std::to_string(c.ranks) + " bytes:" + exact(c.bytes);
      row(out, "link", c.library, item, "busGBps", c.busGBps, "GB/s");
      row(out, "link", c.library, item, "algGBps", c.algGBps, "GB/s");
    }
  for (const PointToPoint& x : p.links.mpi_p2p) {
    row(out, "link", "MPI", x.placement, "latency_ns", x.latency_ns, "ns");
    row(out, "link", "MPI", x.placement, "bw_GBps", x.bw_GBps, "GB/s");
    row(out, "link", "MPI", x.placement, "bibw_GBps", x.bibw_GBps, "GB/s");
  }
  for (const auto& [shared, v] : p.links.c2c_median_latency_ns)
    row(out, "link", "cpu", "core to core, " + shared, "latency_ns", v, "ns");
  for (const Product& op : p.transformer.ops) {
    row(out, "transformer", op.device, op.name, "GFLOPps", op.GFLOPps,
        op.type == "int8" ? "GOP/s" : "GFLOP/s");
    row(out, "transformer", op.device, op.name, "GBps", op.GBps, "GB/s");
    row(out, "transformer", op.device, op.name, "intensity", op.intensity_flop_per_byte,
        "FLOP/byte");
    row(out, "transformer", op.device, op.name, "percent_of_roofline", op.percent_of_roofline, "%");
  }
  for (const ModelStep& s : p.transformer.steps)
    row(out, "model_step", s.device,
        s.model + "/" + s.phase + "/batch:" + exact(s.batch) + "/seq:" + exact(s.seq) +
            "/type:" + s.type,
        "step_seconds", s.step_seconds, "s");
  for (const auto& [id, e] : p.energy)
    for (const EnergyRow& r : e.rows) {
      row(out, "energy", id, r.what, "energy_median_pJ", r.energy_pJ.median, r.unit);
      row(out, "energy", id, r.what, "power_median_W", r.power_W.median, "W");
    }
  for (const FigureModule& figure : figure_modules())
    if (figure.csv)
      for (const CsvRow& r : figure.csv(p))
        row(out, r.section, r.device, r.item, r.quantity, r.value, r.unit);
  return out.str();
}

void write_file_atomically(const std::filesystem::path& path, const std::string& text) {
  const std::filesystem::path tmp =
      path.parent_path() / ("." + path.filename().string() + ".tmp." + std::to_string(getpid()));
  {
    std::ofstream out(tmp, std::ios::binary);
    out << text;
    if (!out.flush()) {
      std::error_code ec;
      std::filesystem::remove(tmp, ec);
      throw std::runtime_error("cannot write " + path.string());
    }
  }
  std::filesystem::rename(tmp, path);
}

std::vector<std::string> write_reports(const std::filesystem::path& dir, const Profile& p,
                                       const ReportOptions& options) {
  std::vector<std::string> written, svgs;
  for (const auto& writer : report_writers())
    for (const OutputFile& f : writer->write(p, options)) {
      write_file_atomically(dir / f.name, f.text);
      written.push_back(f.name);
      if (f.name.ends_with(".svg")) svgs.push_back(f.name);
    }
  if (!options.png) return written;
  static bool told = false;
  if (std::system("command -v rsvg-convert >/dev/null 2>&1") == 0) {
    for (const std::string& name : svgs) {
      const std::string png = name.substr(0, name.size() - 4) + ".png";
      const std::string cmd =
          "rsvg-convert -o '" + (dir / png).string() + "' '" + (dir / name).string() + "'";
      if (std::system(cmd.c_str()) == 0) written.push_back(png);
    }
  } else if (!told) {
    std::fprintf(stderr,
                 "memwall: PNG plots skipped: rsvg-convert not found (Debian package "
                 "librsvg2-bin); SVGs written\n");
    told = true;
  }
  return written;
}

}  // namespace memwall::harness
