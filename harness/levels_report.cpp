#include "harness/levels_report.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <sstream>

#include "core/stats.hpp"
#include "core/units.hpp"

namespace memwall::harness {

namespace {

std::vector<CacheLevel> hwloc_caches(const std::vector<ResultFile>& files, const std::string& key) {
  std::vector<CacheLevel> out;
  for (const ResultFile& f : files) {
    if (!f.context.contains(key)) continue;
    try {
      for (const auto& c : nlohmann::json::parse(f.context[key].get<std::string>())) {
        CacheLevel level;
        level.level = c.value("level", 0);
        level.type = c.value("type", "");
        level.size_bytes = c.value("size", uint64_t{0});
        level.instances = c.value("instances", 0);
        level.line_bytes = c.value("line", 0);
        out.push_back(level);
      }
      return out;
    } catch (const nlohmann::json::exception&) {
      continue;
    }
  }
  return out;
}

bool huge_or_unpaged(const Measurement& m) {
  return !m.keys.count("pages") || m.keys.at("pages") == "huge";
}

// The latency curve on the axis a cache's capacity compares with: the lines the chase touches.
LevelCurve latency_curve(const std::vector<ResultFile>& files, const CurveSpec& spec) {
  LevelCurve c;
  c.source = spec.latency_family + "/" + spec.latency_variant + "/pages:huge";
  c.axis = "cache lines touched (span x 64 / stride)";
  for (const ResultFile& f : files)
    for (const Measurement& m : f.measurements) {
      if (m.family != spec.latency_family || m.variant != spec.latency_variant) continue;
      if (!m.has("latency_ns") || !huge_or_unpaged(m) || device_of(m) != spec.device) continue;
      bool keys_match = true;
      for (const auto& [key, value] : spec.latency_keys)
        keys_match = keys_match && m.keys.count(key) && m.keys.at(key) == value;
      if (!keys_match) continue;
      double bytes = m.key_number("bytes");
      if (m.has("lines_touched_bytes"))
        bytes = m.median("lines_touched_bytes");
      else if (m.has("working_set_bytes"))  // results from before the stride: every line
        bytes = m.median("working_set_bytes");
      c.points.push_back({bytes, m.best("latency_ns")});
    }
  std::sort(c.points.begin(), c.points.end(),
            [](const CurvePoint& a, const CurvePoint& b) { return a.bytes < b.bytes; });
  return c;
}

// Working set -> best GB/s (or another rate counter) of one kernel at `threads` threads, huge
// pages.
std::vector<CurvePoint> bandwidth_points(const std::vector<ResultFile>& files,
                                         const CurveSpec& spec, const std::string& kernel,
                                         int threads, const std::string& counter = "GBps") {
  std::vector<CurvePoint> out;
  for (const ResultFile& f : files)
    for (const Measurement& m : f.measurements) {
      if (m.family != spec.bandwidth_family || m.variant != kernel || !m.has(counter)) continue;
      if (device_of(m) != spec.device) continue;
      if (!huge_or_unpaged(m) || static_cast<int>(m.key_number("threads", 1)) != threads) continue;
      const double ws =
          m.has("working_set_bytes") ? m.median("working_set_bytes") : m.key_number("bytes");
      out.push_back({ws, m.best(counter)});
      if (counter != "GBps" && m.has("GBps") &&
          m.counters.at("GBps").size() == m.counters.at(counter).size()) {
        // A counter beside a rate is read at the repetition that gave the best rate.
        const auto& rate = m.counters.at("GBps");
        out.back().value =
            m.counters.at(counter)[std::max_element(rate.begin(), rate.end()) - rate.begin()];
      }
    }
  std::sort(out.begin(), out.end(),
            [](const CurvePoint& a, const CurvePoint& b) { return a.bytes < b.bytes; });
  return out;
}

// The median over the interior of [lo, hi] (half an octave in from each edge); the points of
// the whole interval when the interior has none; the point nearest its middle when neither.
double interval_median(const std::vector<CurvePoint>& points, double lo, double hi, int& used) {
  for (const double shrink : {std::sqrt(2.0), 1.0}) {
    std::vector<double> v;
    for (const CurvePoint& p : points)
      if (p.bytes >= lo * shrink && p.bytes <= hi / shrink) v.push_back(p.value);
    if (!v.empty()) {
      used = static_cast<int>(v.size());
      return summarize(v).median;
    }
  }
  if (points.empty() || !std::isfinite(hi)) {
    used = 0;
    return 0;
  }
  const double middle = std::sqrt(lo * hi);
  const auto nearest = std::min_element(points.begin(), points.end(), [&](auto& a, auto& b) {
    return std::fabs(std::log(a.bytes / middle)) < std::fabs(std::log(b.bytes / middle));
  });
  used = 1;
  return nearest->value;
}

// The best rate of a level's own benchmark family on the device (0 and no points: none).
double own_bandwidth(const std::vector<ResultFile>& files, const std::string& device,
                     const std::string& family, int& used) {
  double best = 0;
  used = 0;
  for (const ResultFile& f : files)
    for (const Measurement& m : f.measurements)
      if (m.family == family && device_of(m) == device && m.error.empty() && m.has("GBps")) {
        best = std::max(best, m.best("GBps"));
        ++used;
      }
  return best;
}

// One instance of the cache serves every thread (a shared last-level cache).
bool shared_by_all(const std::vector<CacheLevel>& hwloc, const std::string& name) {
  for (const CacheLevel& c : hwloc)
    if ("L" + std::to_string(c.level) == name) return c.instances <= 1;
  return false;
}

std::string fmt(double v, const char* format) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

}  // namespace

CurveSpec gpu_curve_spec(const std::string& device) {
  CurveSpec s;
  s.device = device;
  s.latency_family = "gpu.lat";
  s.latency_variant = "chase";
  s.latency_keys = {{"load", "ca"}};
  s.bandwidth_family = "gpu.bw";
  s.cache_kernel = "read";
  s.memory_kernel = "copy";
  s.memory_nt_kernel = "triad";
  s.memory_name = "HBM";
  s.level_prefix = "GPU_";
  s.caches_reported_by = "the CUDA device";
  s.bandwidth_on_every_instance = true;
  s.level_bandwidth_family = {{"GPU_L2", "gpu.l2"}};
  s.stream_edge_threads = 0;
  s.short_edge_reasons = {
      {"L1", "the L1 shares its SRAM with shared memory; the carveout decides how much is L1"},
      {"L2",
       "the L2 is two partitions and an SM's lines are kept in the one near it: about half of "
       "the L2 for one SM's chase"},
      {"", "the device's own partitioning of the cache"}};
  return s;
}

LevelReport detect_levels(const std::vector<ResultFile>& files, const CurveSpec& spec) {
  LevelReport r;
  r.spec = spec;
  r.hwloc = hwloc_caches(files, spec.device == "cpu" ? "hwloc_caches" : spec.device + "_caches");
  for (const ResultFile& f : files)
    for (const Measurement& m : f.measurements)
      if (m.family == spec.bandwidth_family && m.variant == spec.cache_kernel)
        r.bandwidth_threads =
            std::max(r.bandwidth_threads, static_cast<int>(m.key_number("threads", 1)));
  r.latency = latency_curve(files, spec);

  std::vector<CacheInfo> caches;
  for (const CacheLevel& c : r.hwloc) caches.push_back({c.level, c.size_bytes, c.instances});
  r.latency.levels = name_levels(find_plateaus(r.latency.points), caches, spec.memory_name,
                                 spec.caches_reported_by);

  const int threads = std::max(1, r.bandwidth_threads);
  const auto cache_bw = bandwidth_points(files, spec, spec.cache_kernel, threads);
  const auto memory_bw = bandwidth_points(files, spec, spec.memory_kernel, threads);
  const auto memory_nt = bandwidth_points(files, spec, spec.memory_nt_kernel, threads);
  const auto memory_hw = bandwidth_points(files, spec, spec.memory_kernel, threads, "hw_GBps");
  const auto one_thread_read =
      spec.stream_edge_threads > 0
          ? bandwidth_points(files, spec, spec.cache_kernel, spec.stream_edge_threads)
          : std::vector<CurvePoint>{};
  r.read_curve = cache_bw;
  double scale = 1, llc_total = 0;  // how many instances of the last cache the threads use
  for (const CacheLevel& c : r.hwloc)
    llc_total = static_cast<double>(c.size_bytes) * std::max(1, c.instances);

  for (size_t i = 0; i < r.latency.levels.size(); ++i) {
    const DetectedLevel& d = r.latency.levels[i];
    MemoryLevel l;
    l.name = d.kind == "cache" ? spec.level_prefix + d.name : d.name;
    l.kind = d.kind;
    l.latency_ns = d.plateau.median;
    l.latency_best_ns = d.plateau.min;
    l.detected_bytes = static_cast<double>(d.detected_bytes);
    l.hwloc_bytes = static_cast<double>(d.hwloc_bytes);
    l.disagrees = d.disagrees;
    l.note = d.note;
    if (d.disagrees) {
      auto reason = spec.short_edge_reasons.find(d.name);
      if (reason == spec.short_edge_reasons.end()) reason = spec.short_edge_reasons.find("");
      if (reason != spec.short_edge_reasons.end()) l.note += " (" + reason->second + ")";
    }
    double edge = d.plateau.last_bytes;  // where the level's bandwidth interval ends
    if (d.kind == "cache" && i + 1 < r.latency.levels.size()) {
      const Plateau& next = r.latency.levels[i + 1].plateau;
      const bool next_is_memory = r.latency.levels[i + 1].kind == "memory";
      l.stream_edge_bytes =
          falling_edge(one_thread_read, d.plateau.first_bytes, d.plateau.last_bytes,
                       next_is_memory ? 4 * llc_total : next.first_bytes,
                       next_is_memory ? INFINITY : std::max(next.first_bytes, next.last_bytes));
      if (l.stream_edge_bytes == 0 && one_thread_read.empty() && threads > 1 && next_is_memory &&
          shared_by_all(r.hwloc, d.name)) {
        // No one-thread reads (older runs): every thread's data sits in the one shared cache, so
        // the all-thread curve's edge is in the same bytes as the cache's size. Its plateau
        // starts past the private caches of all threads.
        const double previous_end = r.levels.empty() ? 0.0 : r.levels.back().interval_hi_bytes;
        l.stream_edge_bytes =
            falling_edge(cache_bw, std::max(d.plateau.first_bytes, previous_end),
                         std::max(d.plateau.last_bytes, previous_end), 4 * llc_total, INFINITY);
        l.stream_edge_threads = threads;
      }
      const double hwloc = l.hwloc_bytes;
      const bool stream_agrees =
          hwloc > 0 && l.stream_edge_bytes >= 0.5 * hwloc && l.stream_edge_bytes <= 2 * hwloc;
      if (d.disagrees && stream_agrees) {
        // The chase sees less of the cache than a stream (prefetched neighbours, other tenants).
        // Both are measured; the level's bandwidth is a stream's, so its interval ends where
        // streams see the edge.
        l.disagrees = false;
        edge = l.stream_edge_bytes;
        l.note = "the chase leaves this level at " +
                 format_bytes(static_cast<uint64_t>(l.detected_bytes)) +
                 " of lines, below half of the " + format_bytes(static_cast<uint64_t>(hwloc)) +
                 " " + spec.caches_reported_by +
                 " reports (a slow dependent chain keeps less of a cache than a stream "
                 "does: the prefetchers' neighbour lines take room, and in a shared cache other "
                 "tenants evict it); " +
                 (l.stream_edge_threads > 1
                      ? std::to_string(l.stream_edge_threads) + " threads' reads (one cache)"
                      : std::string("one thread's reads")) +
                 " stay on it to " + format_bytes(static_cast<uint64_t>(l.stream_edge_bytes)) +
                 ", within x2 of that size";
      }
    }
    if (d.kind == "cache") {
      for (const CacheLevel& c : r.hwloc)
        if ("L" + std::to_string(c.level) == d.name)
          scale = spec.bandwidth_on_every_instance ? std::max(1, c.instances)
                                                   : std::min(threads, std::max(1, c.instances)),
          l.capacity_bytes = static_cast<double>(c.size_bytes) * std::max(1, c.instances);
    }
    // A level starts where the one before it ends (scaled intervals would overlap).
    const double previous_end = r.levels.empty() ? 0.0 : r.levels.back().interval_hi_bytes;
    l.interval_lo_bytes =
        std::max(d.plateau.first_bytes * scale, std::isfinite(previous_end) ? previous_end : 0.0);
    if (d.kind == "memory") {
      // Memory is measured well past every cache: at least 4x the last-level cache.
      l.interval_lo_bytes = std::max(l.interval_lo_bytes, 4 * llc_total);
      l.interval_hi_bytes = INFINITY;
      l.bandwidth_kernel = spec.memory_kernel;
      l.bandwidth_GBps =
          interval_median(memory_bw, l.interval_lo_bytes, INFINITY, l.bandwidth_points);
      if (l.bandwidth_points == 0 && !memory_bw.empty()) {  // the curve stops short
        l.bandwidth_GBps = memory_bw.back().value;
        l.bandwidth_points = 1;
        l.interval_lo_bytes = memory_bw.back().bytes;
      }
      int unused = 0;
      l.bandwidth_nt_GBps = interval_median(memory_nt, l.interval_lo_bytes, INFINITY, unused);
      l.read_GBps = interval_median(cache_bw, l.interval_lo_bytes, INFINITY, unused);
      l.bandwidth_hw_GBps = interval_median(memory_hw, l.interval_lo_bytes, INFINITY, unused);
      l.counted_read_GBps = interval_median(
          bandwidth_points(files, spec, spec.cache_kernel, threads, "counted_read_GBps"),
          l.interval_lo_bytes, INFINITY, unused);
      if (l.counted_read_GBps > 0 && l.read_GBps > 0)
        l.note += std::string(l.note.empty() ? "" : "; ") + "the PMU counted " +
                  fmt(l.counted_read_GBps, "%.1f") + " GB/s read from memory while `" +
                  spec.cache_kernel + "` streamed " + fmt(l.read_GBps, "%.1f") + " GB/s (" +
                  fmt(l.counted_read_GBps / l.read_GBps, "%.2f") + "x" +
                  (std::abs(l.counted_read_GBps / l.read_GBps - 1) > 0.2
                       ? ": the kernel's byte count and the hardware's disagree by more than 20%"
                       : "") +
                  ")";
    } else {
      l.interval_hi_bytes = std::max(l.interval_lo_bytes, edge * scale);
      l.bandwidth_kernel = spec.cache_kernel;
      const auto own = spec.level_bandwidth_family.find(l.name);
      if (own != spec.level_bandwidth_family.end()) {
        l.bandwidth_kernel = own->second;
        l.bandwidth_GBps = own_bandwidth(files, spec.device, own->second, l.bandwidth_points);
        if (l.bandwidth_points == 0)
          l.note += std::string(l.note.empty() ? "" : " ") + "bandwidth not measured (" +
                    own->second + " has no valid result)";
      } else {
        l.bandwidth_GBps =
            interval_median(cache_bw, l.interval_lo_bytes, l.interval_hi_bytes, l.bandwidth_points);
      }
    }
    r.levels.push_back(l);
  }

  int not_huge = 0, not_pinned = 0;
  double worst = 1;
  for (const ResultFile& f : files)
    for (const Measurement& m : f.measurements) {
      if (device_of(m) != spec.device || !m.error.empty()) continue;
      const double ws = m.has("working_set_bytes") ? m.median("working_set_bytes") : 0;
      if (m.keys.count("pages") && m.keys.at("pages") == "huge" && ws >= (4 << 20) &&
          m.has("huge_fraction") && m.median("huge_fraction") >= 0 &&
          m.median("huge_fraction") < 0.9) {
        ++not_huge;
        worst = std::min(worst, m.median("huge_fraction"));
      }
      if (m.has("pinned") && m.median("pinned") < 1) ++not_pinned;
    }
  if (not_huge)
    r.warnings.push_back(std::to_string(not_huge) +
                         " huge-page benchmarks of 4 MiB or more got less than 90% of their "
                         "memory in huge pages (lowest " +
                         fmt(100 * worst, "%.0f") +
                         "%): their numbers include TLB misses the name does not promise");
  if (not_pinned)
    r.warnings.push_back(std::to_string(not_pinned) +
                         " benchmarks ran on threads that could not be pinned to their core");
  return r;
}

std::string levels_markdown(const LevelReport& r) {
  std::ostringstream out;
  out << "## Memory levels (" << r.spec.device << ")\n\n"
      << "Levels come from the one-thread latency curve `" << r.latency.source << "` ("
      << r.latency.points.size()
      << " sizes) cut into pieces of constant latency (optimal segmentation in log-log, the "
         "number of pieces by BIC, each step at least 15%). Sizes on this curve are "
      << r.latency.axis
      << ". A level is named after the cache hwloc reports whose capacity its edge matches "
         "(x0.5..x2); a step past the last cache is address translation. Each level's "
         "bandwidth is the median, over the interior of its size interval, of the best "
         "repetition of one kernel with "
      << (r.spec.bandwidth_on_every_instance ? std::string("all SMs")
                                             : std::to_string(r.bandwidth_threads) + " threads")
      << ": `" << r.spec.cache_kernel << "` for caches, `" << r.spec.memory_kernel
      << "` for memory (STREAM bytes), `" << r.spec.memory_nt_kernel
      << "` beside it. These are the bandwidths every ridge point, roof and bound uses.\n\n";
  if (r.levels.empty()) {
    out << "_no latency curve measured_\n\n";
    return out.str();
  }
  out << "| level | kind | edge | stream edge | hwloc size | latency (ns) | bandwidth (GB/s) | "
         "kernel | working sets | note |\n|---|---|--:|--:|--:|--:|--:|---|---|---|\n";
  for (const MemoryLevel& l : r.levels) {
    out << "| " << l.name << " | " << l.kind << " | "
        << (l.detected_bytes > 0 ? format_bytes(static_cast<uint64_t>(l.detected_bytes)) : "-")
        << " | "
        << (l.stream_edge_bytes > 0 ? format_bytes(static_cast<uint64_t>(l.stream_edge_bytes))
                                    : "-")
        << " | " << (l.hwloc_bytes > 0 ? format_bytes(static_cast<uint64_t>(l.hwloc_bytes)) : "-")
        << " | " << fmt(l.latency_ns, "%.2f") << " | "
        << (l.bandwidth_points ? fmt(l.bandwidth_GBps, "%.1f") : "-")
        << (l.bandwidth_nt_GBps > 0 ? " (nt " + fmt(l.bandwidth_nt_GBps, "%.1f") + ")" : "")
        << " | " << l.bandwidth_kernel << " | "
        << format_bytes(static_cast<uint64_t>(l.interval_lo_bytes)) << " - "
        << (std::isfinite(l.interval_hi_bytes)
                ? format_bytes(static_cast<uint64_t>(l.interval_hi_bytes))
                : std::string("largest"))
        << " | " << (l.disagrees ? "edge far from the reported size; " : "") << l.note << " |\n";
  }
  out << "\n";
  for (const std::string& w : r.warnings) out << "- Warning: " << w << "\n";
  if (!r.warnings.empty()) out << "\n";
  return out.str();
}

}  // namespace memwall::harness
