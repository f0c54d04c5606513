#include "harness/summary.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>

#include "core/stats.hpp"
#include "core/units.hpp"

namespace memwall::harness {

namespace {

std::string num(double v, const char* format = "%.2f") {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

std::string context_value(const std::vector<ResultFile>& files, const char* key) {
  for (const ResultFile& f : files)
    if (f.context.contains(key)) {
      const auto& v = f.context[key];
      return v.is_string() ? v.get<std::string>() : v.dump();
    }
  return "unknown";
}

// The measurement at the largest working set among those matching.
const Measurement* largest(const std::vector<const Measurement*>& ms) {
  const Measurement* best = nullptr;
  for (const Measurement* m : ms)
    if (!best || m->key_number("bytes") > best->key_number("bytes")) best = m;
  return best;
}

std::string compute_markdown(const nlohmann::json& profile) {
  std::ostringstream out;
  const nlohmann::json& compute = profile.value("compute", nlohmann::json::object());
  if (compute.contains("cpu")) {
    out << "## Peak compute\n\nFLOPs count 2 per multiply-add (int8: operations). The "
           "theoretical peak is cores x operations per cycle x the clock measured right after "
           "the kernel.\n\n| format | all cores GFLOP/s | 1 thread | theoretical | % | BLAS GEMM "
           "| how |\n|---|---|---|---|---|---|---|\n";
    for (const auto& [type, c] : compute["cpu"].items()) {
      auto v = [&](const char* key, const char* format) {
        return c.contains(key) ? num(c[key].get<double>(), format) : std::string("-");
      };
      out << "| " << type << " | " << v("peak_GFLOPps", "%.1f") << " | "
          << v("single_thread_GFLOPps", "%.1f") << " | " << v("theoretical_GFLOPps", "%.1f")
          << " | " << v("percent_of_theoretical", "%.1f") << " | " << v("gemm_GFLOPps", "%.1f")
          << " | " << c.value("how", "") << " |\n";
    }
    out << "\n";
  }
  const nlohmann::json& ratios = profile.value("ratios", nlohmann::json::object());
  if (ratios.contains("ridge_flop_per_byte")) {
    out << "## Memory-wall ratios\n\nRidge point = peak FLOP/s / bandwidth (FLOP per byte): a "
           "kernel needs at least this arithmetic intensity on data from that level to run at the "
           "peak; below it, it is bound by that level's bandwidth.\n\n";
    std::vector<std::string> types;
    for (const auto& [level, t] : ratios["ridge_flop_per_byte"].items())
      for (const auto& [type, v] : t.items())
        if (std::find(types.begin(), types.end(), type) == types.end()) types.push_back(type);
    out << "| level | GB/s |";
    for (const std::string& t : types) out << " " << t << " |";
    out << "\n|---|---|";
    for (size_t i = 0; i < types.size(); ++i) out << "---|";
    out << "\n";
    for (const auto& [level, t] : ratios["ridge_flop_per_byte"].items()) {
      out << "| " << level << " | "
          << num(profile["memory"][level].value("bandwidth_GBps", 0.0), "%.1f") << " |";
      for (const std::string& type : types)
        out << " " << (t.contains(type) ? num(t[type].get<double>(), "%.2f") : "-") << " |";
      out << "\n";
    }
    if (ratios.contains("walls") && ratios["walls"].contains("flop_per_dram_byte"))
      out << "\nThe three walls here: "
          << num(ratios["walls"]["compute_GFLOPps_fp32"].get<double>(), "%.0f")
          << " GFLOP/s fp32 against " << num(ratios["walls"]["memory_GBps"].get<double>(), "%.1f")
          << " GB/s of DRAM = " << num(ratios["walls"]["flop_per_dram_byte"].get<double>(), "%.1f")
          << " FLOP per byte; no interconnect measured in this run. "
          << ratios["walls"].value("note", "") << "\n";
    out << "\n";
  }
  const nlohmann::json& xfmr = profile.value("transformer", nlohmann::json::object());
  if (xfmr.contains("ops") && !xfmr["ops"].empty()) {
    out << "## Transformer products\n\nFLOPs = 2*M*N*K; bytes = the least each product moves "
           "(weights, activations in and out, KV cache); intensity = FLOPs/bytes. `bound` compares "
           "the intensity with the DRAM ridge point of the format: prefill (GEMM) products of "
           "encoders are compute-bound, decode (GEMV) products are memory-bound. The roofline "
           "takes the bandwidth of the level the operands fit in (`fits in`).\n\n"
        << "| model | phase | op | batch | seq | FLOP/byte | GFLOP/s | GB/s | bound | fits in | % "
           "of roofline |\n"
        << "|---|---|---|---|---|---|---|---|---|---|---|\n";
    for (const auto& op : xfmr["ops"])
      out << "| " << op["model"].get<std::string>() << " | " << op["phase"].get<std::string>()
          << " | " << op["op"].get<std::string>() << " | " << op["batch"].get<double>() << " | "
          << op["seq"].get<double>() << " | "
          << num(op["intensity_flop_per_byte"].get<double>(), "%.1f") << " | "
          << num(op["GFLOPps"].get<double>(), "%.1f") << " | "
          << num(op["GBps"].get<double>(), "%.1f") << " | " << op["bound"].get<std::string>()
          << " | " << op.value("operands_fit_in", "") << " | "
          << num(op["percent_of_roofline"].get<double>(), "%.0f") << " |\n";
    out << "\n";
    if (!xfmr["steps"].empty()) {
      out << "Model steps (layers x the measured layer + the LM head):\n\n| model | phase | batch "
             "| seq "
             "| type | step (ms) | tokens/s |\n|---|---|---|---|---|---|---|\n";
      for (const auto& s : xfmr["steps"])
        out << "| " << s["model"].get<std::string>() << " | " << s["phase"].get<std::string>()
            << " | " << s["batch"].get<double>() << " | " << s["seq"].get<double>() << " | "
            << s.value("type", "") << " | " << num(1e3 * s["step_seconds"].get<double>(), "%.2f")
            << " | " << num(s["tokens_per_second"].get<double>(), "%.1f") << " |\n";
      out << "\n";
    }
  }
  const nlohmann::json& ds = profile.value("datasheet", nlohmann::json::array());
  for (const auto& d : ds) {
    out << "## Against the datasheet of " << d["name"].get<std::string>() << "\n\n";
    for (const auto& [key, v] : d.items())
      if (v.is_number()) out << "- " << key << ": " << num(v.get<double>(), "%.1f") << "%\n";
    out << "\n";
  }
  return out.str();
}

}  // namespace

std::string summary_markdown(const std::vector<ResultFile>& files, const LevelReport& levels,
                             const nlohmann::json& profile, const std::vector<std::string>& notes) {
  std::ostringstream out;
  out << "# memwall report\n\n";
  out << "| | |\n|---|---|\n";
  for (const char* key :
       {"cpu_model", "cores", "cpu_mhz_measured", "numa_nodes", "isa", "kernel", "thp_enabled",
        "compiler", "flags", "git_commit", "memwall_version", "memwall_mode", "date", "host_name"})
    out << "| " << key << " | " << context_value(files, key) << " |\n";
  out << "\nInputs: ";
  for (const ResultFile& f : files) out << "`" << f.path << "` ";
  out << "\n\n";

  // Bandwidth: best at the largest working set (DRAM) for each kernel and thread count.
  std::map<std::string, std::vector<const Measurement*>> bw;
  for (const ResultFile& f : files)
    for (const Measurement& m : f.measurements)
      if (m.family == "cpu.bw" && m.has("GBps"))
        bw[m.variant + "/pages:" + m.keys.at("pages") + "/threads:" + m.keys.at("threads")]
            .push_back(&m);
  if (!bw.empty()) {
    out << "## DRAM bandwidth (largest working set)\n\n"
        << "GB/s = 1e9 bytes/s. `GBps` counts bytes as STREAM does (read 1, write 1, copy and "
           "scale 2, add and triad 3 words per element); `hw_GBps` adds the line each plain "
           "store reads first (write-allocate); the `_nt` kernels use non-temporal stores and "
           "have none. Best and median over repetitions, cv = stddev/mean.\n\n"
        << "| kernel | working set | best GBps | median GBps | cv | best hw_GBps |\n"
        << "|---|---|---|---|---|---|\n";
    for (const auto& [key, ms] : bw) {
      const Measurement* m = largest(ms);
      const Summary s = summarize(m->counters.at("GBps"));
      out << "| " << key << " | " << format_bytes(static_cast<uint64_t>(m->key_number("bytes")))
          << " | " << num(s.max, "%.1f") << " | " << num(s.median, "%.1f") << " | "
          << num(100 * s.cv, "%.1f%%") << " | " << num(m->best("hw_GBps"), "%.1f") << " |\n";
    }
    out << "\n";
  }

  // Latency at the sizes people quote, for each variant and page size.
  std::vector<const Measurement*> lat;
  for (const ResultFile& f : files)
    for (const Measurement& m : f.measurements)
      if (m.family == "cpu.lat" && m.has("latency_ns")) lat.push_back(&m);
  if (!lat.empty()) {
    out << "## Latency\n\nns per dependent load (best = lowest over repetitions). `chase`: "
           "page groups of the TLB-friendly size in random order, lines random inside; "
           "`chase_random`: random over the whole buffer; `chase_stride`: lines in order "
           "(prefetchers help); `loaded`: the chase while the other cores stream reads.\n\n"
        << "| benchmark | best ns | median ns | extra |\n|---|---|---|---|\n";
    const std::vector<double> quoted = {16384, 4194304, 1073741824};
    for (const Measurement* m : lat) {
      const double bytes = m->key_number("bytes");
      const bool show =
          m->variant == "loaded" || std::find(quoted.begin(), quoted.end(), bytes) != quoted.end();
      if (!show) continue;
      out << "| " << m->name << " | " << num(m->best("latency_ns")) << " | "
          << num(m->median("latency_ns")) << " | "
          << (m->has("load_GBps") ? "load " + num(m->best("load_GBps"), "%.1f") + " GB/s" : "")
          << " |\n";
    }
    out << "\n";
  }

  out << levels_markdown(levels);
  out << compute_markdown(profile);

  std::vector<std::string> problems = notes;
  int interrupted = 0;
  for (const ResultFile& f : files)
    for (const Measurement& m : f.measurements) {
      if (m.error == "interrupted")
        ++interrupted;
      else if (!m.error.empty())
        problems.push_back("`" + m.name + "`: " + m.error);
    }
  if (interrupted)
    problems.push_back(std::to_string(interrupted) +
                       " benchmarks not run: the run was interrupted before them");
  out << "## Failed or skipped\n\n";
  if (problems.empty()) out << "Nothing failed; every kernel's output check passed.\n";
  for (const std::string& p : problems) out << "- " << p << "\n";
  return out.str();
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

}  // namespace memwall::harness
