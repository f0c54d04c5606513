// The levels step (each device's levels from its own curves, then beside its datasheet and
// DRAM configuration) and the curves the plots and the memory section draw.
#include <algorithm>
#include <cmath>
#include <map>

#include "harness/profile/steps.hpp"

namespace memwall::harness {

namespace {

std::string key_or(const Measurement& m, const std::string& key, const std::string& fallback) {
  return m.keys.count(key) ? m.keys.at(key) : fallback;
}

// A curve's name: the variant and every key but the size and the device ("chase load:ca",
// "read huge"), so variants never merge into one series.
std::string series_name(const Measurement& m) {
  std::string name = m.variant;
  for (const auto& [key, value] : m.keys) {
    if (key == "bytes" || key == "device" || key == "threads") continue;
    name += " " + (key == "pages" ? value : key + ":" + value);
  }
  return name;
}

void sort_series(std::map<std::string, Series>& by_name, std::vector<Series>& out) {
  for (auto& [name, s] : by_name) {
    std::sort(s.points.begin(), s.points.end());
    out.push_back(s);
  }
}

}  // namespace

PerDevice<LevelAnalysis> levels_step(const ProfileInputs& in, const PerDevice<Device>& devices) {
  PerDevice<LevelAnalysis> out;
  for (const auto& [id, d] : devices) {
    if (d.kind != DeviceKind::cpu && d.kind != DeviceKind::gpu) continue;
    out[id] = analyse_levels(
        in.files,
        d.kind == DeviceKind::cpu ? cpu_curve_spec(in.files) : gpu_curve_spec(in.files, id),
        reported_caches(in, id));
  }
  return out;
}

PerDevice<std::vector<Level>> memory_step(const PerDevice<LevelAnalysis>& analyses,
                                          const PerDevice<Device>& devices) {
  PerDevice<std::vector<Level>> out;
  for (const auto& [id, analysis] : analyses) {
    std::vector<Level> levels = analysis.levels;
    const Device& d = devices.at(id);
    for (Level& l : levels) {
      if (l.kind != LevelKind::memory || l.bandwidth_GBps <= 0) continue;
      if (d.datasheet.match == "model" && d.datasheet.memory_GBps > 0) {
        l.datasheet_GBps = d.datasheet.memory_GBps;
        l.percent_of_datasheet = 100 * l.bandwidth_GBps / l.datasheet_GBps;
      }
      l.theoretical_source = d.memory_theoretical_source;
      if (d.memory_theoretical_GBps > 0) {
        l.theoretical_GBps = d.memory_theoretical_GBps;
        l.percent_of_theoretical = 100 * l.bandwidth_GBps / l.theoretical_GBps;
      }
    }
    if (!levels.empty()) out[id] = levels;
  }
  return out;
}

PerDevice<Curves> curves_step(const ProfileInputs& in, const PerDevice<Device>& devices,
                              const PerDevice<LevelAnalysis>& analyses) {
  PerDevice<Curves> out;
  for (const auto& [id, d] : devices) {
    if (d.kind != DeviceKind::cpu && d.kind != DeviceKind::gpu) continue;
    Curves c;
    c.bandwidth_axis = "working set (all arrays)";
    c.latency_axis = "cache lines touched (span x 64 / stride)";
    if (const auto a = analyses.find(id); a != analyses.end()) {
      c.cache_kernel = a->second.spec.cache_kernel;
      c.memory_kernel = a->second.spec.memory_kernel;
      c.beside_kernel = a->second.spec.memory_beside_kernel;
      c.ramp_per_doubling = kRampPerDoubling;
      c.ramp_total = kRampTotal;
    }
    std::map<std::string, Series> bandwidth, latency;
    std::map<std::string, const Measurement*> largest;
    for (const ResultFile& f : in.files)
      for (const Measurement& m : f.measurements) {
        if (!m.error.empty() || device_of(m) != id) continue;
        const bool bw = m.role == Role::bandwidth_curve || m.role == Role::level_bandwidth ||
                        m.role == Role::bandwidth;
        const bool lat = m.role == Role::latency_curve || m.role == Role::latency;
        if (bw && m.has("GBps")) {
          const double ws =
              m.has("working_set_bytes") ? m.median("working_set_bytes") : m.key_number("bytes");
          if (m.role == Role::bandwidth_curve &&
              (d.bandwidth_threads == 0 || m.key_number("threads", 1) == d.bandwidth_threads)) {
            Series& s = bandwidth[series_name(m)];
            s.name = series_name(m);
            s.points.push_back({ws, m.best("GBps")});
          }
          const std::string key = m.family + "/" + m.variant + "/" + key_or(m, "pages", "") + "/" +
                                  key_or(m, "threads", "");
          const Measurement*& at = largest[key];
          if (!at || m.key_number("bytes") > at->key_number("bytes")) at = &m;
        }
        if (lat && m.has("latency_ns")) {
          const double x = m.has("lines_touched_bytes") ? m.median("lines_touched_bytes")
                           : m.has("working_set_bytes") ? m.median("working_set_bytes")
                                                        : m.key_number("bytes");
          if (m.role == Role::latency_curve) {
            Series& s = latency[series_name(m)];
            s.name = series_name(m);
            s.points.push_back({x, m.best("latency_ns")});
          }
          const double b = m.key_number("bytes");
          // A latency on no curve, and the curves at the sizes people quote.
          if (m.role == Role::latency || b == 16384 || b == 4194304 || b == 1073741824) {
            LatencyRow row;
            row.family = m.family;
            row.variant = series_name(m);
            row.pages = key_or(m, "pages", "");
            row.bytes = b;
            row.latency_ns = spread_of(m.counters.at("latency_ns"), false);
            row.stride_bytes = m.has("stride_bytes") ? m.median("stride_bytes") : 0;
            row.load_GBps = m.has("load_GBps") ? m.best("load_GBps") : 0;
            c.latencies.push_back(row);
          }
        }
      }
    sort_series(bandwidth, c.bandwidth);
    sort_series(latency, c.latency);
    for (const auto& [key, m] : largest) {
      KernelRow row;
      row.family = m->family;
      row.variant = m->variant;
      row.pages = key_or(*m, "pages", "");
      row.threads = key_or(*m, "threads", "");
      row.bytes = m->key_number("bytes");
      row.GBps = spread_of(m->counters.at("GBps"), true);
      row.hw_GBps = m->has("hw_GBps") ? m->best("hw_GBps") : 0;
      c.kernels.push_back(row);
    }
    std::sort(c.latencies.begin(), c.latencies.end(), [](const LatencyRow& a, const LatencyRow& b) {
      return std::tie(a.family, a.variant, a.pages, a.bytes) <
             std::tie(b.family, b.variant, b.pages, b.bytes);
    });
    out[id] = c;
  }
  return out;
}

}  // namespace memwall::harness
