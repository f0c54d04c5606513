#include "harness/report/tex.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "harness/figure.hpp"
#include "harness/format.hpp"

namespace memwall::harness {

std::string latex_escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '_' || c == '%' || c == '&' || c == '#' || c == '$' || c == '{' || c == '}')
      out += '\\';
    if (c == '^') {
      out += "\\textasciicircum{}";
      continue;
    }
    out += c;
  }
  return out;
}

namespace {

std::string num(double v, const Scale& s) {
  const std::string t = in_scale(v, s);
  return t == "-" ? "--" : t;
}

std::string size_cell(double bytes) {
  const std::string s = bytes_text(bytes);
  if (s == "-") return "--";
  const size_t space = s.find(' ');
  return space == std::string::npos ? s : s.substr(0, space) + "\\," + s.substr(space + 1);
}

std::string label_of(const std::string& device, const std::string& what) {
  std::string id = device;
  for (char& c : id)
    if (!isalnum(static_cast<unsigned char>(c))) c = '-';
  return "tab:memwall-" + id + "-" + what;
}

std::string machine_line(const Profile& p, const std::string& id) {
  const Device& d = p.devices.at(id);
  std::string s = latex_escape(d.name) + ", " + latex_escape(d.parallelism);
  if (d.virtual_machine) s += " of a virtual machine";
  return s;
}

// Tables whose caption sits above them: booktabs' top rule needs room below the caption, which
// LaTeX's defaults give only to captions below a table. Local to the float.
void begin_table(std::ostringstream& out, const std::string& env, const std::string& caption,
                 const std::string& label, const std::string& columns) {
  out << "\\begin{" << env << "}[t]\n\\centering\n\\small\n"
      << "\\setlength{\\abovecaptionskip}{0pt}\\setlength{\\belowcaptionskip}{4pt}\n"
      << "\\caption{" << caption << "}\n\\label{" << label << "}\n"
      << "\\begin{tabular}{" << columns << "}\n\\toprule\n";
}

void end_table(std::ostringstream& out, const std::string& env) {
  out << "\\bottomrule\n\\end{tabular}\n\\end{" << env << "}\n\n";
}

std::string ops_unit(std::string flops) {
  flops.replace(flops.find("FLOP"), 4, "OP");
  return flops;
}

std::string stride_words(const Profile& p, const std::string& id) {
  if (p.curves.count(id))
    for (const LatencyRow& r : p.curves.at(id).latencies)
      if (r.stride_bytes > 0 && r.variant.rfind("chase", 0) == 0)
        return size_cell(r.stride_bytes) + " stride";
  return "";
}

}  // namespace

std::string latex_tables(const Profile& p, bool wide) {
  std::ostringstream out;
  const std::string env = wide ? "table*" : "table";
  out << "% memwall tables (\\usepackage{booktabs}); \\input into a two-column article.\n";
  for (const auto& [id, formats] : p.compute) {
    const Device& d = p.devices.at(id);
    const bool gpu = d.kind == DeviceKind::gpu;
    const auto levels = p.memory.find(id);
    const auto ratios = p.ratios.find(id);
    const std::string walls_format = ratios == p.ratios.end() ? "" : ratios->second.walls.format;
    // Narrow: the ridge in the walls' format; wide: every format but int8.
    std::vector<std::string> ridge_types;
    if (!walls_format.empty()) ridge_types.push_back(walls_format);
    for (const auto& [type, c] : formats)
      if (type != "int8" && type != walls_format && wide) ridge_types.push_back(type);
    if (levels != p.memory.end() && !levels->second.empty()) {
      double top = 0;
      for (const Level& l : levels->second) top = std::max(top, l.bandwidth_GBps);
      const Scale bw = scale_for(Quantity::bandwidth, top);
      const Curves method = level_method(p, id);
      const std::string& cache_kernel = method.cache_kernel;
      const std::string& memory_kernel = method.memory_kernel;
      const std::string stride = stride_words(p, id);
      std::string ridge_list;
      for (const std::string& t : ridge_types) ridge_list += (ridge_list.empty() ? "" : ", ") + t;
      begin_table(out, env,
                  "Memory hierarchy of " + machine_line(p, id) + ". Bandwidth: the level's " +
                      "kernel (" + cache_kernel + " for caches, " + latex_escape(memory_kernel) +
                      (gpu ? " (BabelStream bytes)" : " (STREAM bytes)") +
                      " for memory), median over the interior of the level; -- where the curve "
                      "has no plateau. Latency: dependent loads" +
                      (stride.empty() ? "" : ", " + stride) + ". Ridge: " + ridge_list +
                      " peak over bandwidth, in FLOP/B.",
                  label_of(id, "memory"),
                  "lrrr" + std::string(ridge_types.size(), 'r') + (wide ? "l" : ""));
      out << "Level & Size & \\multicolumn{1}{c}{" << bw.unit << "} & \\multicolumn{1}{c}{ns}";
      for (const std::string& t : ridge_types)
        out << " & \\multicolumn{1}{c}{" << (ridge_types.size() == 1 ? "FLOP/B" : t) << "}";
      out << (wide ? " & Kernel" : "") << " \\\\\n\\midrule\n";
      for (const Level& l : levels->second) {
        out << latex_escape(l.name) << " & " << size_cell(l.size_bytes)
            << (l.instances > 1 ? "\\,x" + std::to_string(l.instances) : "") << " & "
            << num(l.bandwidth_GBps, bw) << " & " << num(l.latency_ns, Scale{1, "ns"});
        for (const std::string& t : ridge_types) {
          double v = 0;
          if (ratios != p.ratios.end() && ratios->second.ridge_flop_per_byte.count(l.name) &&
              ratios->second.ridge_flop_per_byte.at(l.name).count(t))
            v = ratios->second.ridge_flop_per_byte.at(l.name).at(t);
          out << " & " << (v > 0 ? sig(v) : "--");
        }
        if (wide) out << " & " << latex_escape(l.bandwidth_kernel);
        out << " \\\\\n";
      }
      end_table(out, env);
    }
    double top = 0;
    for (const auto& [type, c] : formats) top = std::max(top, c.peak.best);
    const Scale scale = scale_for(Quantity::flops, top);
    begin_table(out, env,
                "Peak compute of " + machine_line(p, id) + " in " + scale.unit +
                    " (int8: " + ops_unit(scale.unit) +
                    "): best of the repetitions and their median, with the shape or "
                    "path it came from" +
                    (gpu ? "" : "; theoretical peak at the clock the cores ran at") + ".",
                label_of(id, "compute"),
                std::string("lrrl") + (gpu ? "" : "r") + (wide ? "r" : ""));
    out << "Format & Peak & Median & From" << (gpu ? "" : " & \\% th.")
        << (wide ? " & \\% data." : "") << " \\\\\n\\midrule\n";
    for (const char* type : {"fp64", "fp32", "tf32", "fp16", "bf16", "fp8", "int8"}) {
      if (!formats.count(type)) continue;
      const Compute& c = formats.at(type);
      // "8192^3" -> 8192$^3$
      const std::string from =
          c.peak_shape.empty()
              ? (gpu ? "FMA" : "FMA kernel")
              : latex_escape(c.peak_shape.substr(0, c.peak_shape.find('^'))) + "$^3$";
      out << type << " & " << num(c.peak.best, scale) << " & " << num(c.peak.median, scale) << " & "
          << from;
      if (!gpu)
        out << " & "
            << (c.percent_of_theoretical > 0 ? fixed(c.percent_of_theoretical, 1)
                                             : std::string("--"));
      if (wide)
        out << " & "
            << (c.percent_of_datasheet > 0 ? fixed(c.percent_of_datasheet, 1) : std::string("--"));
      out << " \\\\\n";
    }
    end_table(out, env);
  }
  // The links: host links, the collectives, MPI point-to-point.
  const Links& l = p.links;
  if (!l.host.empty() || !l.nccl.empty() || !l.mpi_p2p.empty() || !l.mpi_collectives.empty()) {
    begin_table(out, env,
                "Interconnect: host links (pinned memory, copy engines), collectives' bus "
                "bandwidth at their largest size (nccl-tests' factors), MPI point-to-point (OSU "
                "method).",
                "tab:memwall-interconnect", "llrr");
    out << "Link & At & \\multicolumn{1}{c}{GB/s} & \\multicolumn{1}{c}{$\\mu$s} \\\\\n\\midrule\n";
    for (const HostLink& h : l.host) {
      if (h.memory != "pinned" || h.engine != "ce") continue;
      std::string name = h.name;
      std::replace(name.begin(), name.end(), '_', ' ');
      out << latex_escape(h.device + " " + name) << " & " << size_cell(h.bytes) << " & "
          << sig(h.bandwidth_GBps) << " & "
          << (h.latency_ns > 0 ? fixed(h.latency_ns / 1e3, 2) : std::string("--")) << " \\\\\n";
    }
    for (const auto* list : {&l.nccl, &l.mpi_collectives})
      for (const Collective& c : *list) {
        if (c.inplace == "1" || c.ranks < 2) continue;  // one rank moves nothing over a bus
        out << latex_escape(c.library + " " + c.name + ", " + std::to_string(c.ranks) + " ranks")
            << " & " << size_cell(c.bytes) << " & " << sig(c.busGBps) << " & "
            << (c.small_latency_ns > 0 ? fixed(c.small_latency_ns / 1e3, 2) : std::string("--"))
            << " \\\\\n";
      }
    for (const PointToPoint& x : l.mpi_p2p)
      out << "MPI " << (x.placement == "other_node" ? "other node" : "same node") << " & "
          << size_cell(x.bw_bytes) << " & " << sig(x.bw_GBps) << " & "
          << (x.latency_ns > 0 ? fixed(x.latency_ns / 1e3, 2) : std::string("--")) << " \\\\\n";
    end_table(out, env);
  }
  // What the walls mean for the models people run: predicted steps beside measured.
  bool measured_steps = false;
  for (const ModelPrediction& m : p.models)
    measured_steps = measured_steps || m.role == PredictionRole::measured;
  if (measured_steps) {
    begin_table(out, env,
                "Model steps on " + latex_escape(p.models.front().device_name) +
                    ": one step in ms, predicted from the measured roofs (each product at the "
                    "lower of the format's peak and its memory level's read bandwidth) beside "
                    "measured, and measured over predicted. P prefill of the tokens, D decode "
                    "against a KV cache of them (batch x tokens where the batch is not 1).",
                "tab:memwall-models", "lrrrr");
    out << "Model & Tokens & \\multicolumn{1}{c}{Pred.} & \\multicolumn{1}{c}{Meas.} & "
           "\\multicolumn{1}{c}{$\\times$} \\\\\n\\midrule\n";
    for (const ModelPrediction& m : p.models) {
      if (m.role != PredictionRole::measured) continue;
      const StepPrediction& step = m.phase == "prefill" ? m.prefill : m.decode;
      out << latex_escape(m.model + " " + m.type + (m.device == "cpu" ? "" : " " + m.device))
          << " & " << (m.phase == "prefill" ? "P " : "D ")
          << (m.batch > 1 ? std::to_string(m.batch) + "\\,x\\," : "") << m.context << " & "
          << sig(step.seconds * 1e3) << " & "
          << (m.measured_s > 0 ? sig(m.measured_s * 1e3) : std::string("--")) << " & "
          << (m.measured_s > 0 ? fixed(m.measured_s / step.seconds, 2) : std::string("--"))
          << " \\\\\n";
    }
    end_table(out, env);
  }
  out << "% A methods paragraph to adapt:\n"
         "\\paragraph{Method.} Measured with memwall "
      << latex_escape(p.provenance.memwall_version) << " (commit "
      << latex_escape(p.provenance.git_commit.substr(0, 12))
      << "). Every benchmark is repeated and checked; tables give the best repetition and the "
         "median (1\\,GB/s = $10^9$ bytes/s).";
  // Each kind of device measured, in its own words.
  if (!devices_of_kind(p, DeviceKind::cpu).empty())
    out << " CPU bandwidth uses the STREAM kernels and byte counts on threads pinned one per "
           "core, each first-touching its part of the arrays, on huge pages, every sample at "
           "least 0.1\\,s; CPU latency is a dependent pointer chase (multichase's method); CPU "
           "peaks come from independent FMA chains whose exact final values are checked and "
           "from BLAS GEMMs (2MNK FLOPs) checked on sampled entries.";
  if (!devices_of_kind(p, DeviceKind::gpu).empty())
    out << " GPU bandwidth uses BabelStream's kernels and byte counts on every SM, each size's "
           "best over blocks and load widths; GPU latency is one thread's pointer chase through "
           "the L1 or the L2 alone; GPU peaks come from FMA chains on every SM and from "
           "cuBLASLt GEMMs (every heuristic candidate timed, the result checked on a sample); "
           "the host link is measured as nvbandwidth separates it (copy engine or SMs, pinned or "
           "pageable).";
  if (!devices_of_kind(p, DeviceKind::storage).empty())
    out << " Storage is measured as fio measures it (io\\_uring or libaio, O\\_DIRECT where "
           "allowed, on an unnamed test file) and counted as fio counts: bytes and I/Os completed "
           "over the elapsed time, latency from submission to completion.";
  out << "\n";
  for (const FigureModule& figure : figure_modules())
    if (figure.tex) out << figure.tex(p);
  return out.str();
}

}  // namespace memwall::harness
