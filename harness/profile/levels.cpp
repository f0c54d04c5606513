#include "harness/profile/levels.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "core/stats.hpp"
#include "core/units.hpp"
#include "harness/format.hpp"

namespace memwall::harness {

namespace {

bool huge_or_unpaged(const Measurement& m) {
  return !m.keys.count("pages") || m.keys.at("pages") == "huge";
}

std::string fmt(double v, const char* format) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

std::string size_text(double bytes) {
  return bytes_text(bytes);
}

// The latency curve on the axis a cache's capacity compares with: the lines the chase touches.
std::vector<CurvePoint> latency_curve(const std::vector<ResultFile>& files, const CurveSpec& spec) {
  std::vector<CurvePoint> c;
  for (const ResultFile& f : files)
    for (const Measurement& m : f.measurements) {
      if (m.role != Role::latency_curve || m.field("levels") != "yes") continue;
      if (!m.has("latency_ns") || !huge_or_unpaged(m) || device_of(m) != spec.device) continue;
      double bytes = m.key_number("bytes");
      if (m.has("lines_touched_bytes"))
        bytes = m.median("lines_touched_bytes");
      else if (m.has("working_set_bytes"))  // results from before the stride: every line
        bytes = m.median("working_set_bytes");
      c.push_back({bytes, m.best("latency_ns")});
    }
  std::sort(c.begin(), c.end(),
            [](const CurvePoint& a, const CurvePoint& b) { return a.bytes < b.bytes; });
  return c;
}

// Working set -> best GB/s (or another rate counter) of one kernel at `threads` threads, huge
// pages.
std::vector<CurvePoint> bandwidth_points(const std::vector<ResultFile>& files,
                                         const CurveSpec& spec, const std::string& kernel,
                                         int threads, const std::string& counter = "GBps",
                                         Role role = Role::bandwidth_curve) {
  std::vector<CurvePoint> out;
  for (const ResultFile& f : files)
    for (const Measurement& m : f.measurements) {
      if (m.role != role || m.variant != kernel || !m.has(counter)) continue;
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

// The points over the interior of [lo, hi] (half an octave in from each edge); the points of
// the whole interval when the interior has none; the point nearest its middle when neither.
std::vector<CurvePoint> interval_points(const std::vector<CurvePoint>& points, double lo,
                                        double hi) {
  for (const double shrink : {std::sqrt(2.0), 1.0}) {
    std::vector<CurvePoint> v;
    for (const CurvePoint& p : points)
      if (p.bytes >= lo * shrink && p.bytes <= hi / shrink) v.push_back(p);
    if (!v.empty()) return v;
  }
  if (points.empty() || !std::isfinite(hi)) return {};
  const double middle = std::sqrt(lo * hi);
  return {*std::min_element(points.begin(), points.end(), [&](auto& a, auto& b) {
    return std::fabs(std::log(a.bytes / middle)) < std::fabs(std::log(b.bytes / middle));
  })};
}

double median_of(const std::vector<CurvePoint>& points) {
  std::vector<double> v;
  for (const CurvePoint& p : points) v.push_back(p.value);
  return v.empty() ? 0 : summarize(v).median;
}

double interval_median(const std::vector<CurvePoint>& points, double lo, double hi) {
  return median_of(interval_points(points, lo, hi));
}

// The least-squares rise of log2(value) per log2(bytes), as a factor per doubling.
double rise_per_doubling(const std::vector<CurvePoint>& points) {
  if (points.size() < 3) return 1;
  double sx = 0, sy = 0, sxx = 0, sxy = 0;
  const double n = static_cast<double>(points.size());
  for (const CurvePoint& p : points) {
    const double x = std::log2(p.bytes), y = std::log2(p.value);
    sx += x, sy += y, sxx += x * x, sxy += x * y;
  }
  const double denominator = n * sxx - sx * sx;
  return denominator > 0 ? std::exp2((n * sxy - sx * sy) / denominator) : 1;
}

// The best rate of a level's own benchmark family on the device (0 and no points: none).
double own_bandwidth(const std::vector<ResultFile>& files, const std::string& device,
                     const std::string& family, int& used) {
  double best = 0;
  used = 0;
  for (const ResultFile& f : files)
    for (const Measurement& m : f.measurements)
      if (m.role == Role::level_bandwidth && m.family == family && device_of(m) == device &&
          m.error.empty() && m.has("GBps")) {
        best = std::max(best, m.best("GBps"));
        ++used;
      }
  return best;
}

// One instance of the cache serves every thread (a shared last-level cache).
bool shared_by_all(const std::vector<CacheLevel>& caches, const std::string& name) {
  for (const CacheLevel& c : caches)
    if ("L" + std::to_string(c.level) == name) return c.instances <= 1;
  return false;
}

void append_note(Level& l, const std::string& text) {
  l.note += (l.note.empty() ? "" : "; ") + text;
}

// A level's bandwidth from the points of its interval, or none where they ramp.
void set_bandwidth(Level& l, const std::vector<CurvePoint>& points, const std::string& kernel) {
  l.bandwidth_kernel = kernel;
  l.bandwidth_points = static_cast<int>(points.size());
  if (points.empty()) return;
  const double rise = rise_per_doubling(points);
  double lo = points.front().value, hi = lo;
  for (const CurvePoint& p : points) lo = std::min(lo, p.value), hi = std::max(hi, p.value);
  l.slope_per_doubling = rise;
  if ((rise >= kRampPerDoubling || rise <= 1 / kRampPerDoubling) && hi >= kRampTotal * lo) {
    l.no_bandwidth_why =
        "no plateau: `" + kernel + "` " + (rise > 1 ? "rises" : "falls") + " x" +
        fmt(rise, "%.2f") + " per doubling of the working set over " +
        size_text(points.front().bytes) + " - " + size_text(points.back().bytes) + " (" +
        with_unit(lo, Quantity::bandwidth) + " to " + with_unit(hi, Quantity::bandwidth) + ")" +
        (rise > 1 ? ": each pass takes about the same time whatever its size (launch or loop "
                    "overhead), so the curve says nothing of this level's bandwidth"
                  : ": the level's edge lies inside its interval");
    return;
  }
  l.bandwidth_GBps = median_of(points);
}

// gpu0 and gpu3 are of one kind: a declaration's default device stands for its kind.
bool same_kind(const std::string& a, const std::string& b) {
  auto kind = [](const std::string& d) {
    return d.substr(0, d.find_last_not_of("0123456789") + 1);
  };
  return kind(a) == kind(b);
}

// The kernels of the device's bandwidth curve (its own benchmarks' declaration, else one of
// its kind's) and the levels its families measure on their own.
void add_declared(CurveSpec& spec, const std::vector<ResultFile>& files) {
  const std::map<std::string, std::string>* curve = nullptr;
  for (const ResultFile& f : files) {
    for (const Measurement& m : f.measurements)
      if (!curve && m.role == Role::bandwidth_curve && device_of(m) == spec.device)
        curve = &m.role_fields;
    for (const RoleDeclaration& d : f.roles)
      if (word<Role>(d.role) == Role::level_bandwidth && same_kind(d.device, spec.device) &&
          d.fields.count("level"))
        spec.level_bandwidth_family.emplace(d.fields.at("level"), d.family);
  }
  for (const ResultFile& f : files)
    for (const RoleDeclaration& d : f.roles)
      if (!curve && word<Role>(d.role) == Role::bandwidth_curve && same_kind(d.device, spec.device))
        curve = &d.fields;
  if (!curve) return;
  auto field = [&](const char* name) {
    return curve->count(name) ? curve->at(name) : std::string();
  };
  spec.cache_kernel = field("cache_kernel");
  spec.memory_kernel = field("memory_kernel");
  spec.memory_beside_kernel = field("beside_kernel");
}

}  // namespace

CurveSpec cpu_curve_spec(const std::vector<ResultFile>& files) {
  CurveSpec s;
  add_declared(s, files);
  return s;
}

CurveSpec gpu_curve_spec(const std::vector<ResultFile>& files, const std::string& device) {
  CurveSpec s;
  s.device = device;
  add_declared(s, files);
  s.memory_name = "HBM";
  s.level_prefix = "GPU_";
  s.caches_reported_by = "the CUDA device";
  s.bandwidth_on_every_instance = true;
  s.stream_edge_threads = 0;
  s.short_edge_reasons = {
      {"L1", "the L1 shares its SRAM with shared memory; the carveout decides how much is L1"},
      {"L2",
       "the L2 is two partitions and an SM's lines are kept in the one near it: about half of "
       "the L2 for one SM's chase"},
      {"", "the device's own partitioning of the cache"}};
  return s;
}

LevelAnalysis analyse_levels(const std::vector<ResultFile>& files, const CurveSpec& spec,
                             const std::vector<CacheLevel>& caches) {
  LevelAnalysis r;
  r.spec = spec;
  for (const ResultFile& f : files)
    for (const Measurement& m : f.measurements)
      if (m.role == Role::bandwidth_curve && m.variant == spec.cache_kernel &&
          device_of(m) == spec.device)
        r.bandwidth_threads =
            std::max(r.bandwidth_threads, static_cast<int>(m.key_number("threads", 1)));
  r.latency = latency_curve(files, spec);

  std::vector<CacheInfo> infos;
  for (const CacheLevel& c : caches) infos.push_back({c.level, c.size_bytes, c.instances});
  const std::vector<DetectedLevel> detected =
      detect_levels(r.latency, infos, spec.memory_name, spec.caches_reported_by);

  const int threads = std::max(1, r.bandwidth_threads);
  auto cache_bw = bandwidth_points(files, spec, spec.cache_kernel, threads);
  const auto memory_bw = bandwidth_points(files, spec, spec.memory_kernel, threads);
  const auto memory_beside = bandwidth_points(files, spec, spec.memory_beside_kernel, threads);
  const auto memory_hw = bandwidth_points(files, spec, spec.memory_kernel, threads, "hw_GBps");
  const auto one_thread_read =
      spec.stream_edge_threads > 0
          ? bandwidth_points(files, spec, spec.cache_kernel, spec.stream_edge_threads)
          : std::vector<CurvePoint>{};
  // The read measured again later in the run (after the products it is the roof of): each
  // size at the better of its two moments, and a gap between them said on the level.
  std::string moved;
  for (const CurvePoint& again :
       bandwidth_points(files, spec, spec.cache_kernel, threads, "GBps", Role::bandwidth_again))
    for (CurvePoint& p : cache_bw)
      if (p.bytes == again.bytes) {
        if (std::max(p.value, again.value) > 1.1 * std::min(p.value, again.value))
          moved = "the " + spec.cache_kernel + " kernel streamed " +
                  with_unit(p.value, Quantity::bandwidth) + " at " + bytes_text(p.bytes) +
                  ", and " + with_unit(again.value, Quantity::bandwidth) +
                  " when measured again later in the run: the bandwidth moved during the run "
                  "(other load on a shared host); the better of the two is the roof";
        p.value = std::max(p.value, again.value);
      }
  r.read_curve = cache_bw;
  double scale = 1, llc_total = 0;  // how many instances of the last cache the threads use
  for (const CacheLevel& c : caches)
    llc_total = static_cast<double>(c.size_bytes) * std::max(1, c.instances);

  for (size_t i = 0; i < detected.size(); ++i) {
    const DetectedLevel& d = detected[i];
    Level l;
    l.name = d.kind == LevelKind::cache ? spec.level_prefix + d.name : d.name;
    l.kind = d.kind;
    l.latency_ns = d.plateau.median;
    l.latency_best_ns = d.plateau.min;
    l.detected_bytes = static_cast<double>(d.detected_bytes);
    l.size_bytes = static_cast<double>(d.hwloc_bytes);
    l.size_disagrees = d.disagrees;
    l.note = d.note;
    if (d.disagrees) {
      auto reason = spec.short_edge_reasons.find(d.name);
      if (reason == spec.short_edge_reasons.end()) reason = spec.short_edge_reasons.find("");
      if (reason != spec.short_edge_reasons.end()) l.note += " (" + reason->second + ")";
    }
    double edge = d.plateau.last_bytes;  // where the level's bandwidth interval ends
    if (d.kind == LevelKind::cache && i + 1 < detected.size()) {
      const Plateau& next = detected[i + 1].plateau;
      const bool next_is_memory = detected[i + 1].kind == LevelKind::memory;
      l.stream_edge_bytes =
          falling_edge(one_thread_read, d.plateau.first_bytes, d.plateau.last_bytes,
                       next_is_memory ? 4 * llc_total : next.first_bytes,
                       next_is_memory ? INFINITY : std::max(next.first_bytes, next.last_bytes));
      l.stream_edge_threads = l.stream_edge_bytes > 0 ? 1 : 0;
      if (l.stream_edge_bytes == 0 && one_thread_read.empty() && threads > 1 && next_is_memory &&
          shared_by_all(caches, d.name)) {
        // No one-thread reads (older runs): every thread's data sits in the one shared cache, so
        // the all-thread curve's edge is in the same bytes as the cache's size. Its plateau
        // starts past the private caches of all threads.
        const double previous_end = r.levels.empty() ? 0.0 : r.levels.back().interval_hi_bytes;
        l.stream_edge_bytes =
            falling_edge(cache_bw, std::max(d.plateau.first_bytes, previous_end),
                         std::max(d.plateau.last_bytes, previous_end), 4 * llc_total, INFINITY);
        l.stream_edge_threads = threads;
      }
      const double reported = l.size_bytes;
      const bool stream_agrees = reported > 0 && l.stream_edge_bytes >= 0.5 * reported &&
                                 l.stream_edge_bytes <= 2 * reported;
      if (d.disagrees && stream_agrees) {
        // The chase sees less of the cache than a stream (prefetched neighbours, other tenants).
        // Both are measured; the level's bandwidth is a stream's, so its interval ends where
        // streams see the edge.
        l.size_disagrees = false;
        edge = l.stream_edge_bytes;
        l.note = "the chase leaves this level at " + size_text(l.detected_bytes) +
                 " of lines, below half of the " + size_text(reported) + " " +
                 spec.caches_reported_by +
                 " reports (a slow dependent chain keeps less of a cache than a stream "
                 "does: the prefetchers' neighbour lines take room, and in a shared cache other "
                 "tenants evict it); " +
                 (l.stream_edge_threads > 1
                      ? std::to_string(l.stream_edge_threads) + " threads' reads (one cache)"
                      : std::string("one thread's reads")) +
                 " stay on it to " + size_text(l.stream_edge_bytes) + ", within x2 of that size";
      }
    }
    if (d.kind == LevelKind::cache) {
      l.size_reported_by = spec.caches_reported_by;
      for (const CacheLevel& c : caches)
        if ("L" + std::to_string(c.level) == d.name) {
          scale = spec.bandwidth_on_every_instance ? std::max(1, c.instances)
                                                   : std::min(threads, std::max(1, c.instances));
          l.instances = std::max(1, c.instances);
          l.capacity_bytes = static_cast<double>(c.size_bytes) * l.instances;
          // A product's operands are shared by every SM: they fit an SM's own L1 only whole.
          l.placement_capacity_bytes = spec.bandwidth_on_every_instance
                                           ? static_cast<double>(c.size_bytes)
                                           : l.capacity_bytes;
        }
    }
    // A level starts where the one before it ends (scaled intervals would overlap).
    const double previous_end = r.levels.empty() ? 0.0 : r.levels.back().interval_hi_bytes;
    l.interval_lo_bytes = std::max(d.plateau.first_bytes * scale, previous_end);
    if (d.kind == LevelKind::memory) {
      // Memory is measured well past every cache: at least 4x the last-level cache.
      l.interval_lo_bytes = std::max(l.interval_lo_bytes, 4 * llc_total);
      l.interval_hi_bytes = 0;
      std::vector<CurvePoint> points = interval_points(memory_bw, l.interval_lo_bytes, INFINITY);
      if (points.empty() && !memory_bw.empty()) {  // the curve stops short
        points = {memory_bw.back()};
        l.interval_lo_bytes = memory_bw.back().bytes;
      }
      set_bandwidth(l, points, spec.memory_kernel);
      l.beside_kernel = spec.memory_beside_kernel;
      l.beside_GBps = interval_median(memory_beside, l.interval_lo_bytes, INFINITY);
      l.read_GBps = interval_median(cache_bw, l.interval_lo_bytes, INFINITY);
      if (!moved.empty()) append_note(l, moved);
      l.bandwidth_hw_GBps = interval_median(memory_hw, l.interval_lo_bytes, INFINITY);
      l.counted_read_GBps = interval_median(
          bandwidth_points(files, spec, spec.cache_kernel, threads, "counted_read_GBps"),
          l.interval_lo_bytes, INFINITY);
      if (l.counted_read_GBps > 0 && l.read_GBps > 0)
        append_note(l, "the PMU counted " + with_unit(l.counted_read_GBps, Quantity::bandwidth) +
                           " read from memory while `" + spec.cache_kernel + "` streamed " +
                           with_unit(l.read_GBps, Quantity::bandwidth) + " (" +
                           fmt(l.counted_read_GBps / l.read_GBps, "%.2f") + "x" +
                           (std::abs(l.counted_read_GBps / l.read_GBps - 1) > 0.2
                                ? ": the kernel's byte count and the hardware's disagree by more "
                                  "than 20%"
                                : "") +
                           ")");
    } else {
      l.interval_hi_bytes = std::max(l.interval_lo_bytes, edge * scale);
      const auto own = spec.level_bandwidth_family.find(l.name);
      if (own != spec.level_bandwidth_family.end()) {
        l.bandwidth_kernel = own->second;
        l.bandwidth_GBps = own_bandwidth(files, spec.device, own->second, l.bandwidth_points);
        if (l.bandwidth_points == 0)
          l.no_bandwidth_why = "not measured: " + own->second + " has no valid result";
      } else {
        set_bandwidth(l, interval_points(cache_bw, l.interval_lo_bytes, l.interval_hi_bytes),
                      spec.cache_kernel);
      }
    }
    if (l.bandwidth_GBps == 0 && l.no_bandwidth_why.empty())
      l.no_bandwidth_why = "not measured: no `" + l.bandwidth_kernel + "` result in its interval";
    // A CPU cache whose curve leaves it far below the size reported (a guest's share of a
    // host's cache, a firmware that reports the whole chip per core) holds what the curve
    // shows: products are placed by that, not by the report. (A GPU's short edges have causes
    // one SM's chase sees and all SMs' products do not: the L1 carveout, the L2's partitions.)
    if (l.size_disagrees && l.kind == LevelKind::cache && !spec.bandwidth_on_every_instance &&
        l.interval_hi_bytes > 0 && l.capacity_bytes > 0) {
      l.capacity_bytes = std::min(l.capacity_bytes, l.interval_hi_bytes);
      l.placement_capacity_bytes = std::min(l.placement_capacity_bytes, l.interval_hi_bytes);
    }
    r.levels.push_back(l);
  }

  // A level the chase does not find (a texture cache, a scratchpad) that a family measures on
  // its own is a level all the same, placed among the caches by the size it was measured at.
  for (const auto& [name, family] : spec.level_bandwidth_family) {
    if (std::any_of(r.levels.begin(), r.levels.end(),
                    [&](const Level& l) { return l.name == name; }))
      continue;
    Level l;
    l.name = name;
    l.kind = LevelKind::cache;
    l.bandwidth_kernel = family;
    l.bandwidth_GBps = own_bandwidth(files, spec.device, family, l.bandwidth_points);
    if (l.bandwidth_points == 0) continue;
    for (const ResultFile& f : files)
      for (const Measurement& m : f.measurements)
        if (m.family == family && device_of(m) == spec.device) {
          const double bytes = m.key_number("bytes");
          l.size_bytes = std::max(l.size_bytes, bytes);
          l.interval_lo_bytes =
              l.interval_lo_bytes > 0 ? std::min(l.interval_lo_bytes, bytes) : bytes;
        }
    l.interval_hi_bytes = l.size_bytes;
    l.note = "measured by " + family + " alone: the latency curve has no plateau of its own";
    const auto at = std::find_if(r.levels.begin(), r.levels.end(), [&](const Level& other) {
      return other.kind != LevelKind::cache || other.size_bytes > l.size_bytes;
    });
    r.levels.insert(at, l);
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

}  // namespace memwall::harness
