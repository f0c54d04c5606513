#include "harness/report_tex.hpp"

#include <cmath>
#include <cstdio>
#include <sstream>

#include "core/units.hpp"
#include "harness/report_content.hpp"
#include "harness/roofline.hpp"

namespace memwall::harness {

using nlohmann::json;

std::string latex_escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '_' || c == '%' || c == '&' || c == '#' || c == '$' || c == '{' || c == '}')
      out += '\\';
    out += c;
  }
  return out;
}

namespace {

std::string sig(double v) {
  if (!std::isfinite(v) || v <= 0) return "--";
  return fixed(v, v >= 100 ? 0 : v >= 10 ? 1 : v >= 1 ? 2 : 3);
}

std::string size_cell(double bytes) {
  if (!(bytes > 0)) return "--";
  std::string s = format_bytes(static_cast<uint64_t>(bytes));
  // "1.5MiB" -> "1.5\,MiB"
  const size_t unit = s.find_first_not_of("0123456789.");
  return unit == std::string::npos ? s : s.substr(0, unit) + "\\," + s.substr(unit);
}

std::string label_of(const std::string& device, const std::string& what) {
  std::string id = device;
  for (char& c : id)
    if (!isalnum(static_cast<unsigned char>(c))) c = '-';
  return "tab:memwall-" + id + "-" + what;
}

std::string machine_line(const json& profile, const std::string& device) {
  const json& m = profile["machine"];
  const json& d = profile["devices"].value(device, json::object());
  std::string s = latex_escape(d.value("name", m.value("cpu_model", device)));
  if (m.contains("cpu_signature") && device == "cpu")
    s += " (" + latex_escape(m["cpu_signature"].get<std::string>()) + ")";
  if (d.contains("bandwidth_threads"))
    s += ", " + (d["bandwidth_threads"].is_number()
                     ? std::to_string(d["bandwidth_threads"].get<int>()) + " threads"
                     : latex_escape(d["bandwidth_threads"].get<std::string>()));
  if (d.value("hypervisor", "") == "yes") s += ", virtual machine";
  if (m.contains("compiler")) s += ", " + latex_escape(m["compiler"].get<std::string>());
  return s;
}

}  // namespace

std::string latex_tables(const json& profile, bool wide) {
  std::ostringstream out;
  const std::string table = wide ? "table*" : "table";
  out << "% memwall tables (\\usepackage{booktabs}); \\input into a two-column article.\n";
  for (const auto& [device, formats] : profile["compute"].items()) {
    const json& levels = memory_levels(profile, device);
    const json& ridge = profile["ratios"]
                            .value(device, json::object())
                            .value("ridge_flop_per_byte", json::object());
    const std::string ridge_type = formats.contains("fp32") ? "fp32" : formats.begin().key();
    if (!levels.empty()) {
      out << "\\begin{" << table << "}[t]\n\\centering\n\\small\n"
          << "\\caption{Memory hierarchy of " << machine_line(profile, device)
          << ". Bandwidth: the level's kernel (read for caches, STREAM triad for memory), "
             "best and median over the interior of the level; latency: dependent loads, "
             "256-byte stride. Ridge: "
          << ridge_type << " peak over bandwidth.}\n"
          << "\\label{" << label_of(device, "memory") << "}\n"
          << "\\begin{tabular}{lrrrr" << (wide ? "rl" : "") << "}\n\\toprule\n"
          << "Level & Size & \\multicolumn{1}{c}{GB/s} & \\multicolumn{1}{c}{ns} & "
             "\\multicolumn{1}{c}{FLOP/B}"
          << (wide ? " & \\multicolumn{1}{c}{nt GB/s} & Kernel" : "") << " \\\\\n\\midrule\n";
      for (const json& l : levels) {
        const std::string name = l.value("name", "");
        out << latex_escape(name) << " & " << size_cell(l.value("capacity_bytes", 0.0)) << " & "
            << sig(l.value("bandwidth_GBps", 0.0)) << " & " << sig(l.value("latency_ns", 0.0))
            << " & "
            << (ridge.contains(name) && ridge[name].contains(ridge_type)
                    ? sig(ridge[name][ridge_type].get<double>())
                    : std::string("--"));
        if (wide)
          out << " & " << sig(l.value("bandwidth_nt_GBps", 0.0)) << " & "
              << latex_escape(l.value("bandwidth_kernel", ""));
        out << " \\\\\n";
      }
      out << "\\bottomrule\n\\end{tabular}\n\\end{" << table << "}\n\n";
    }
    out << "\\begin{" << table << "}[t]\n\\centering\n\\small\n"
        << "\\caption{Peak compute of " << machine_line(profile, device)
        << ": best of the repetitions (median beside it) on all threads; theoretical peak at the "
           "clock the cores ran at.}\n"
        << "\\label{" << label_of(device, "compute") << "}\n"
        << "\\begin{tabular}{lrrr" << (wide ? "rr" : "") << "}\n\\toprule\n"
        << "Format & Peak & Median & \\% th." << (wide ? " & 1 thread & MHz" : "")
        << " \\\\\n\\midrule\n";
    for (const char* type : {"fp64", "fp32", "tf32", "fp16", "bf16", "fp8", "int8"}) {
      if (!formats.contains(type) || !formats[type].contains("peak_GFLOPps")) continue;
      const json& c = formats[type];
      const double median =
          c.contains("peak") ? c["peak"].value("median", 0.0) : c.value("peak_GFLOPps", 0.0);
      out << type << (std::string(type) == "int8" ? " (GOP/s)" : " (GFLOP/s)") << " & "
          << sig(c.value("peak_GFLOPps", 0.0)) << " & " << sig(median) << " & "
          << (c.contains("percent_of_theoretical")
                  ? fixed(c["percent_of_theoretical"].get<double>(), 1)
                  : std::string("--"));
      if (wide)
        out << " & " << sig(c.value("single_thread_GFLOPps", 0.0)) << " & "
            << sig(c.value("core_mhz", 0.0));
      out << " \\\\\n";
    }
    out << "\\bottomrule\n\\end{tabular}\n\\end{" << table << "}\n\n";
  }
  out << "% A methods paragraph to adapt:\n"
         "\\paragraph{Method.} Measured with memwall "
      << latex_escape(profile["machine"].value("memwall_version", "")) << " (commit "
      << latex_escape(profile["machine"].value("git_commit", "").substr(0, 12))
      << "). Bandwidth uses the STREAM kernels and byte counts (1\\,GB/s = $10^9$ bytes/s) on "
         "threads pinned one per core, each first-touching its part of the arrays, on huge "
         "pages; every sample lasts at least 0.1\\,s and is checked element by element. "
         "Latency is a dependent pointer chase with one pointer per 256-byte element, visited "
         "at random within 256\\,KiB page groups (as multichase). Peak rates come from "
         "independent FMA chains whose exact final values are checked. Each benchmark is "
         "repeated; tables give the best repetition and the median.\n";
  return out.str();
}

}  // namespace memwall::harness
