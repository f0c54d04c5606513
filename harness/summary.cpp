#include "harness/summary.hpp"

#include <unistd.h>

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

}  // namespace

std::string summary_markdown(const std::vector<ResultFile>& files, const LevelReport& levels,
                             const std::vector<std::string>& notes) {
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
