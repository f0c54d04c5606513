#include "harness/reports.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>

#include "core/units.hpp"
#include "harness/csv.hpp"
#include "harness/summary.hpp"
#include "harness/svg_plot.hpp"

namespace memwall::harness {

using nlohmann::json;

namespace {

std::string num(double v, const char* format = "%.4g") {
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

std::string latex_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '_' || c == '%' || c == '&' || c == '#' || c == '$') out += '\\';
    out += c;
  }
  return out;
}

double get(const json& j, const char* key) {
  return j.contains(key) && j[key].is_number() ? j[key].get<double>() : NAN;
}

}  // namespace

std::string data_dir() {
  if (const char* env = std::getenv("MEMWALL_DATA")) return env;
  return MEMWALL_DATA_DIR;
}

std::string metrics_csv(const json& profile) {
  std::ostringstream out;
  out << "name,counter,higher_is_better,best,median,cv,repetitions\n";
  for (const json& m : profile.at("metrics")) {
    const auto samples = m.at("samples").get<std::vector<double>>();
    double mean = 0, sq = 0;
    for (double v : samples) mean += v / samples.size();
    for (double v : samples) sq += (v - mean) * (v - mean);
    const double cv =
        samples.size() > 1 && mean != 0 ? std::sqrt(sq / (samples.size() - 1)) / mean : 0;
    out << csv_cell(m.at("name")) << "," << m.at("counter").get<std::string>() << ","
        << (m.at("higher_is_better").get<bool>() ? 1 : 0) << "," << num(m.at("best"), "%.6g") << ","
        << num(m.at("median"), "%.6g") << "," << num(cv, "%.4f") << "," << samples.size() << "\n";
  }
  return out.str();
}

std::string profile_csv(const json& profile) {
  std::ostringstream out;
  out << "section,item,quantity,value,unit\n";
  for (const auto& [level, m] : profile.at("memory").items()) {
    if (m.contains("bandwidth_GBps"))
      out << "memory," << level << ",bandwidth," << num(m["bandwidth_GBps"]) << ",GB/s\n";
    if (m.contains("latency_ns"))
      out << "memory," << level << ",latency," << num(m["latency_ns"]) << ",ns\n";
    if (m.value("size_bytes", 0.0) > 0)
      out << "memory," << level << ",size," << m["size_bytes"].get<double>() << ",bytes\n";
    if (m.value("detected_bytes", 0.0) > 0)
      out << "memory," << level << ",detected_size," << m["detected_bytes"].get<double>()
          << ",bytes\n";
  }
  for (const auto& [device, formats] : profile.at("compute").items())
    for (const auto& [type, c] : formats.items()) {
      if (c.contains("peak_GFLOPps"))
        out << "compute," << device << "/" << type << ",peak," << num(c["peak_GFLOPps"])
            << ",GFLOP/s\n";
      if (c.contains("theoretical_GFLOPps"))
        out << "compute," << device << "/" << type << ",theoretical,"
            << num(c["theoretical_GFLOPps"]) << ",GFLOP/s\n";
      if (c.contains("gemm_GFLOPps"))
        out << "compute," << device << "/" << type << ",gemm," << num(c["gemm_GFLOPps"])
            << ",GFLOP/s\n";
    }
  if (profile.at("ratios").contains("ridge_flop_per_byte"))
    for (const auto& [level, types] : profile["ratios"]["ridge_flop_per_byte"].items())
      for (const auto& [type, v] : types.items())
        out << "ratio," << level << "/" << type << ",ridge_point," << num(v) << ",FLOP/byte\n";
  for (const json& op : profile.at("transformer").at("ops")) {
    out << "transformer," << csv_cell(op["name"]) << ",GFLOPps," << num(op["GFLOPps"])
        << ",GFLOP/s\n";
    out << "transformer," << csv_cell(op["name"]) << ",intensity,"
        << num(op["intensity_flop_per_byte"]) << ",FLOP/byte\n";
  }
  for (const json& s : profile.at("transformer").at("steps"))
    out << "model_step," << s["model"].get<std::string>() << "/" << s["phase"].get<std::string>()
        << "/batch:" << s["batch"] << "/seq:" << s["seq"] << ",seconds," << num(s["step_seconds"])
        << ",s\n";
  return out.str();
}

std::string latex_tables(const json& profile) {
  std::ostringstream out;
  out << "% memwall tables; needs \\usepackage{booktabs}\n"
      << "\\begin{table}[t]\n\\centering\n\\caption{Memory hierarchy of "
      << latex_escape(profile["machine"].value("cpu_model", "this machine")) << "}\n"
      << "\\begin{tabular}{lrrr}\n\\toprule\nLevel & Size & Bandwidth (GB/s) & Latency (ns) "
         "\\\\\n\\midrule\n";
  for (const auto& [level, m] : profile.at("memory").items())
    out << latex_escape(level) << " & "
        << (m.value("size_bytes", 0.0) > 0
                ? latex_escape(format_bytes(m["size_bytes"].get<uint64_t>()))
                : "--")
        << " & " << num(get(m, "bandwidth_GBps"), "%.1f") << " & "
        << num(get(m, "latency_ns"), "%.2f") << " \\\\\n";
  out << "\\bottomrule\n\\end{tabular}\n\\end{table}\n\n";
  out << "\\begin{table}[t]\n\\centering\n\\caption{Peak compute and ridge points (FLOP per "
         "byte)}\n"
      << "\\begin{tabular}{lrrrr}\n\\toprule\nFormat & Peak (GFLOP/s) & \\% theoretical & Ridge vs "
         "DRAM & Ridge vs L1 \\\\\n\\midrule\n";
  for (const auto& [device, formats] : profile.at("compute").items())
    for (const auto& [type, c] : formats.items()) {
      if (!c.contains("peak_GFLOPps")) continue;
      const json& ridge = profile["ratios"].value("ridge_flop_per_byte", json::object());
      auto r = [&](const char* level) {
        return ridge.contains(level) && ridge[level].contains(type)
                   ? num(ridge[level][type], "%.2f")
                   : std::string("--");
      };
      out << latex_escape(device + " " + type) << " & " << num(c["peak_GFLOPps"], "%.1f") << " & "
          << num(get(c, "percent_of_theoretical"), "%.1f") << " & " << r("DRAM") << " & " << r("L1")
          << " \\\\\n";
    }
  out << "\\bottomrule\n\\end{tabular}\n\\end{table}\n";
  return out.str();
}

namespace {
Plot curve_plot(const std::vector<ResultFile>& files, const std::string& family,
                const std::string& counter, int threads, const LevelCurve& levels) {
  Plot p;
  std::map<std::string, Series> by_variant;
  for (const ResultFile& f : files)
    for (const Measurement& m : f.measurements) {
      if (m.family != family || !m.has(counter) || m.variant == "loaded") continue;
      if (threads && m.key_number("threads") != threads) continue;
      const std::string key = m.variant + (m.keys.count("pages") ? " " + m.keys.at("pages") : "");
      const double ws =
          m.has("working_set_bytes") ? m.median("working_set_bytes") : m.key_number("bytes");
      by_variant[key].name = key;
      by_variant[key].points.push_back({ws, m.best(counter)});
    }
  for (auto& [key, s] : by_variant) {
    std::sort(s.points.begin(), s.points.end());
    p.series.push_back(s);
  }
  for (const DetectedLevel& l : levels.levels)
    if (l.detected_bytes)
      p.x_marks.push_back({static_cast<double>(l.detected_bytes), l.name + " edge"});
  p.x_label = "working set (bytes)";
  return p;
}
}  // namespace

std::string bandwidth_svg(const std::vector<ResultFile>& files, const LevelReport& levels) {
  Plot p = curve_plot(files, "cpu.bw", "GBps", levels.bandwidth_threads, levels.bandwidth);
  p.title = "Bandwidth vs working set (" + std::to_string(levels.bandwidth_threads) +
            " threads, STREAM bytes)";
  p.y_label = "GB/s";
  return render_svg(p);
}

std::string latency_svg(const std::vector<ResultFile>& files, const LevelReport& levels) {
  Plot p = curve_plot(files, "cpu.lat", "latency_ns", 0, levels.latency);
  p.title = "Load latency vs working set (dependent pointer chase)";
  p.y_label = "ns per load";
  return render_svg(p);
}

std::string roofline_svg(const json& profile) {
  Plot p;
  p.title = "Roofline: measured ceilings and Transformer products";
  p.x_label = "arithmetic intensity (FLOP/byte)";
  p.y_label = "GFLOP/s";
  const json& cpu = profile.at("compute").value("cpu", json::object());
  std::vector<double> xs;
  for (double x = 1.0 / 64; x <= 4096; x *= 2) xs.push_back(x);
  for (const auto& [level, m] : profile.at("memory").items()) {
    const double bw = m.value("bandwidth_GBps", 0.0);
    if (bw <= 0 || !cpu.contains("fp32") || !cpu["fp32"].contains("peak_GFLOPps")) continue;
    const double peak = cpu["fp32"]["peak_GFLOPps"];
    Series s{level + " (fp32 peak)", {}, true, false, {}};
    for (double x : xs) s.points.push_back({x, std::min(peak, x * bw)});
    p.series.push_back(s);
  }
  for (const auto& [type, c] : cpu.items()) {
    if (!c.contains("peak_GFLOPps") || type == "fp32") continue;
    Series s{type + " peak",
             {{xs.front(), c["peak_GFLOPps"]}, {xs.back(), c["peak_GFLOPps"]}},
             true,
             false,
             {}};
    p.series.push_back(s);
  }
  Series prefill{"prefill products", {}, false, true, {}},
      decode{"decode products", {}, false, true, {}};
  for (const json& op : profile.at("transformer").at("ops")) {
    if (op["family"] == "xfmr.layer") continue;
    Series& s = op["phase"] == "prefill" ? prefill : decode;
    s.points.push_back({op["intensity_flop_per_byte"], op["GFLOPps"]});  // the table names them
  }
  if (!prefill.points.empty()) p.series.push_back(prefill);
  if (!decode.points.empty()) p.series.push_back(decode);
  return render_svg(p);
}

std::string trend_svg(const json& profile, const std::string& datasheet_csv) {
  Plot p;
  p.title = "The memory wall: FLOP per DRAM byte by year (datasheets) and this machine";
  p.x_label = "year";
  p.y_label = "peak fp32 FLOP per byte of memory bandwidth";
  p.log_x = false;
  Series gpus{"GPUs/TPUs (datasheet)", {}, false, true, {}},
      cpus{"CPUs (datasheet)", {}, false, true, {}};
  for (auto& row : read_csv_rows(datasheet_csv)) {
    try {
      const double year = std::stod(row["year"]), bw = std::stod(row["mem_bw_gbs"]);
      const double fp32 = std::stod(row["fp32_tflops"]);
      Series& s = row["kind"] == "cpu" ? cpus : gpus;
      s.points.push_back({year, fp32 * 1e3 / bw});
      s.labels.push_back(row["name"]);
    } catch (const std::exception&) {  // an empty cell: no published number
    }
  }
  p.series.push_back(gpus);
  p.series.push_back(cpus);
  // The paper's rates (peak FLOP/s 3.0x, DRAM bandwidth 1.6x every 2 years) from the earliest
  // device: the FLOP per byte a kernel needs grows about 1.9x every 2 years.
  if (!gpus.points.empty()) {
    const auto first = *std::min_element(gpus.points.begin(), gpus.points.end());
    Series paper{"AI and Memory Wall trend (3.0x / 1.6x per 2 years)", {}, true, false, {}};
    for (double year = first.first; year <= first.first + 13; year += 1)
      paper.points.push_back({year, first.second * std::pow(3.0 / 1.6, (year - first.first) / 2)});
    p.series.push_back(paper);
  }
  const json& ratios = profile.at("ratios");
  if (ratios.contains("walls") && ratios["walls"].contains("flop_per_dram_byte")) {
    const std::string date = profile["machine"].value("date", "2026");
    const double year = std::stod(date.substr(0, 4)) +
                        (date.size() >= 7 ? (std::stod(date.substr(5, 2)) - 1) / 12.0 : 0);
    p.series.push_back({"this machine (measured)",
                        {{year, ratios["walls"]["flop_per_dram_byte"]}},
                        false,
                        true,
                        {profile["machine"].value("cpu_model", "")}});
  }
  return render_svg(p);
}

std::string html_page(const std::string& markdown, const std::vector<std::string>& svgs) {
  std::ostringstream out;
  out << "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>memwall report</title>\n"
      << "<style>body{font-family:sans-serif;max-width:1100px;margin:auto}table{border-collapse:"
         "collapse}"
         "td,th{border:1px solid #ccc;padding:2px "
         "6px;text-align:left}code{background:#f4f4f4}</style>\n"
      << "</head><body>\n";
  auto escape = [](const std::string& s) {
    std::string r;
    for (char c : s)
      r += c == '<' ? "&lt;" : c == '>' ? "&gt;" : c == '&' ? "&amp;" : std::string(1, c);
    return r;
  };
  auto inline_code = [&](const std::string& s) {
    std::string r, e = escape(s);
    bool open = false;
    for (char c : e) {
      if (c == '`')
        r += (open = !open) ? "<code>" : "</code>";
      else
        r += c;
    }
    return r;
  };
  std::istringstream in(markdown);
  std::string line;
  bool table = false, header = false;
  while (std::getline(in, line)) {
    if (line.rfind("|", 0) == 0) {
      if (line.find("|---") == 0) continue;
      if (!table) out << "<table>\n", table = true, header = true;
      out << "<tr>";
      std::stringstream cells(line.substr(1));
      std::string cell;
      while (std::getline(cells, cell, '|'))
        out << (header ? "<th>" : "<td>") << inline_code(cell) << (header ? "</th>" : "</td>");
      out << "</tr>\n";
      header = false;
      continue;
    }
    if (table) out << "</table>\n", table = false;
    if (line.rfind("### ", 0) == 0)
      out << "<h3>" << inline_code(line.substr(4)) << "</h3>\n";
    else if (line.rfind("## ", 0) == 0)
      out << "<h2>" << inline_code(line.substr(3)) << "</h2>\n";
    else if (line.rfind("# ", 0) == 0)
      out << "<h1>" << inline_code(line.substr(2)) << "</h1>\n";
    else if (line.rfind("- ", 0) == 0)
      out << "<li>" << inline_code(line.substr(2)) << "</li>\n";
    else if (!line.empty())
      out << "<p>" << inline_code(line) << "</p>\n";
  }
  if (table) out << "</table>\n";
  for (const std::string& svg : svgs) out << "<div>" << svg << "</div>\n";
  out << "</body></html>\n";
  return out.str();
}

std::vector<std::string> write_reports(const std::filesystem::path& dir,
                                       const std::vector<ResultFile>& files,
                                       const LevelReport& levels, const json& profile,
                                       const std::vector<std::string>& notes,
                                       const std::string& datasheet_csv) {
  std::vector<std::pair<std::string, std::string>> outputs;
  const std::string md = summary_markdown(files, levels, profile, notes);
  const std::vector<std::pair<std::string, std::string>> svgs = {
      {"bandwidth.svg", bandwidth_svg(files, levels)},
      {"latency.svg", latency_svg(files, levels)},
      {"roofline.svg", roofline_svg(profile)},
      {"trend.svg", trend_svg(profile, datasheet_csv)}};
  outputs.push_back({"profile.json", profile.dump(2) + "\n"});
  outputs.push_back({"summary.md", md});
  outputs.push_back({"metrics.csv", metrics_csv(profile)});
  outputs.push_back({"profile.csv", profile_csv(profile)});
  outputs.push_back({"report.tex", latex_tables(profile)});
  std::vector<std::string> svg_texts;
  for (const auto& [name, text] : svgs) {
    outputs.push_back({name, text});
    svg_texts.push_back(text);
  }
  outputs.push_back({"report.html", html_page(md, svg_texts)});
  std::vector<std::string> written;
  for (const auto& [name, text] : outputs) {
    write_file_atomically(dir / name, text);
    written.push_back(name);
  }
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
