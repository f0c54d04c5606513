#include "harness/reports.hpp"

#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "core/stats.hpp"
#include "harness/document.hpp"
#include "harness/plots.hpp"
#include "harness/report_content.hpp"
#include "harness/report_tex.hpp"
#include "harness/roofline.hpp"

namespace memwall::harness {

using nlohmann::json;

namespace {

std::string num(double v, const char* format = "%.6g") {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

std::string csv_cell(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

}  // namespace

std::string data_dir() {
  if (const char* env = std::getenv("MEMWALL_DATA")) return env;
  return MEMWALL_DATA_DIR;
}

void write_file_atomically(const std::filesystem::path& path, const std::string& text) {
  const std::filesystem::path tmp =
      path.parent_path() / ("." + path.filename().string() + ".tmp." + std::to_string(getpid()));
  {
    std::ofstream out(tmp, std::ios::binary);
    out << text;
    if (!out.flush()) throw std::runtime_error("cannot write " + tmp.string());
  }
  std::filesystem::rename(tmp, path);
}

std::string metrics_csv(const json& profile) {
  std::ostringstream out;
  out << "name,counter,higher_is_better,best,median,cv,repetitions\n";
  for (const json& m : profile.at("metrics")) {
    const Summary s = summarize(m.at("samples").get<std::vector<double>>());
    out << csv_cell(m.at("name")) << "," << m.at("counter").get<std::string>() << ","
        << (m.at("higher_is_better").get<bool>() ? 1 : 0) << "," << num(m.at("best")) << ","
        << num(m.at("median")) << "," << num(s.cv, "%.4f") << "," << s.count << "\n";
  }
  return out.str();
}

std::string profile_csv(const json& profile) {
  std::ostringstream out;
  out << "section,device,item,quantity,value,unit\n";
  for (const auto& [device, levels] : profile.at("memory").items())
    for (const json& l : levels) {
      const std::string name = l.value("name", "");
      for (const auto& [key, unit] :
           std::vector<std::pair<std::string, std::string>>{{"bandwidth_GBps", "GB/s"},
                                                            {"bandwidth_nt_GBps", "GB/s"},
                                                            {"latency_ns", "ns"},
                                                            {"capacity_bytes", "bytes"},
                                                            {"detected_bytes", "bytes"}})
        if (l.contains(key) && l[key].is_number() && l[key].get<double>() > 0)
          out << "memory," << device << "," << name << "," << key << "," << num(l[key]) << ","
              << unit << "\n";
    }
  for (const auto& [device, formats] : profile.at("compute").items())
    for (const auto& [type, c] : formats.items())
      for (const char* key :
           {"peak_GFLOPps", "single_thread_GFLOPps", "theoretical_GFLOPps", "gemm_GFLOPps"})
        if (c.contains(key))
          out << "compute," << device << "," << type << "," << key << "," << num(c[key]) << ","
              << (type == "int8" ? "GOP/s" : "GFLOP/s") << "\n";
  for (const auto& [device, r] : profile.at("ratios").items()) {
    const json ridge = r.value("ridge_flop_per_byte", json::object());
    const json walls = r.value("walls", json::object());
    for (const auto& [level, types] : ridge.items())
      for (const auto& [type, v] : types.items())
        out << "ridge," << device << "," << level << "/" << type << ",ridge_point," << num(v)
            << ",FLOP/byte\n";
    for (const auto& [key, v] : walls.items())
      if (v.is_number()) out << "walls," << device << ",," << key << "," << num(v) << ",\n";
  }
  for (const json& op : profile.at("transformer").at("ops")) {
    out << "transformer," << op.value("device", "cpu") << "," << csv_cell(op["name"]) << ",GFLOPps,"
        << num(op["GFLOPps"]) << ",GFLOP/s\n";
    out << "transformer," << op.value("device", "cpu") << "," << csv_cell(op["name"])
        << ",intensity," << num(op["intensity_flop_per_byte"]) << ",FLOP/byte\n";
  }
  for (const json& s : profile.at("transformer").at("steps"))
    out << "model_step," << s.value("device", "cpu") << "," << s["model"].get<std::string>() << "/"
        << s["phase"].get<std::string>() << "/batch:" << s["batch"] << "/seq:" << s["seq"]
        << "/type:" << s.value("type", "") << ",step_seconds," << num(s["step_seconds"]) << ",s\n";
  return out.str();
}

std::vector<std::string> write_reports(const std::filesystem::path& dir, const ProfileInputs& in,
                                       const json& profile, const ReportOptions& options) {
  std::vector<std::pair<std::string, std::string>> svgs;
  ReportFigures figures;
  for (const auto& [device, levels] : in.levels) {
    const std::string bw = "bandwidth_" + device + ".svg", lat = "latency_" + device + ".svg";
    svgs.push_back({bw, bandwidth_svg(in, device)});
    svgs.push_back({lat, latency_svg(in, device)});
    figures.memory.push_back(
        {bw, "Bandwidth of every kernel against the working set (" + device +
                 "); dashed lines: where each level's interval ends for these threads"});
    figures.memory.push_back({lat, "Latency against the cache lines touched (" + device +
                                       "); dashed lines: the levels' edges"});
  }
  for (const auto& [device, type] : roofline_panels(profile)) {
    const std::string file = "roofline_" + device + "_" + type + ".svg";
    svgs.push_back({file, roofline_svg(profile, device, type)});
    figures.rooflines.push_back({file, "Roofline of " + device + " in " + type});
  }
  const json& link = profile.value("interconnect", json::object());
  if (link.contains("c2c")) {
    svgs.push_back({"c2c.svg", c2c_svg(profile)});
    figures.interconnect.push_back(
        {"c2c.svg",
         "Core-to-core latency, one way: a cache line bounced between two pinned "
         "threads"});
  }
  if (link.contains("mpi")) {
    svgs.push_back(
        {"mpi_latency.svg", message_svg(in, "comm.mpi", {"latency"}, "latency_ns",
                                        "MPI one-way latency (osu_latency's method)", "ns")});
    svgs.push_back({"mpi_bandwidth.svg", message_svg(in, "comm.mpi", {"bw", "bibw"}, "GBps",
                                                     "MPI bandwidth (osu_bw, osu_bibw)", "GB/s")});
    svgs.push_back(
        {"mpi_collectives.svg",
         message_svg(
             in, "comm.mpi",
             {"allreduce", "allgather", "reduce_scatter", "broadcast", "reduce", "alltoall"},
             "busGBps", "MPI collectives: bus bandwidth (nccl-tests' factors)", "bus GB/s")});
    figures.interconnect.push_back(
        {"mpi_latency.svg", "MPI point-to-point latency against the message size"});
    figures.interconnect.push_back(
        {"mpi_bandwidth.svg", "MPI point-to-point bandwidth against the message size"});
    figures.interconnect.push_back(
        {"mpi_collectives.svg", "MPI collectives' bus bandwidth against the message size"});
  }
  svgs.push_back({"trend.svg", trend_svg(profile, data_dir(), &figures.trend_notes)});
  figures.trend = "trend.svg";

  std::vector<std::string> data_files = {"profile.json", "metrics.csv", "profile.csv",
                                         "report.tex"};
  for (const ResultFile& f : in.files)
    data_files.push_back(std::filesystem::path(f.path).filename().string());
  const Document doc = report_document(in, profile, figures, data_files);
  std::map<std::string, std::string> svg_by_name(svgs.begin(), svgs.end());

  std::vector<std::pair<std::string, std::string>> outputs = {
      {"profile.json", profile.dump(2) + "\n"},
      {"summary.md", MarkdownWriter().write(doc)},
      {"report.html", HtmlWriter(svg_by_name).write(doc)},
      {"metrics.csv", metrics_csv(profile)},
      {"profile.csv", profile_csv(profile)},
      {"report.tex", latex_tables(profile, options.tex_wide)}};
  outputs.insert(outputs.end(), svgs.begin(), svgs.end());
  std::vector<std::string> written;
  for (const auto& [name, text] : outputs) {
    write_file_atomically(dir / name, text);
    written.push_back(name);
  }
  if (!options.png) return written;
  static bool told = false;
  if (std::system("command -v rsvg-convert >/dev/null 2>&1") == 0) {
    for (const auto& [name, text] : svgs) {
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
