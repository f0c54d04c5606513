#include "harness/levels_report.hpp"

#include <algorithm>
#include <cstdio>
#include <sstream>

#include "core/units.hpp"

namespace memwall::harness {

namespace {

std::vector<CacheLevel> hwloc_caches(const std::vector<ResultFile>& files) {
  std::vector<CacheLevel> out;
  for (const ResultFile& f : files) {
    if (!f.context.contains("hwloc_caches")) continue;
    try {
      const auto caches = nlohmann::json::parse(f.context["hwloc_caches"].get<std::string>());
      for (const auto& c : caches) {
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

// Capacity of each level that `threads` threads on distinct cores can use.
std::vector<uint64_t> capacity_for(const std::vector<CacheLevel>& caches, int threads) {
  std::vector<uint64_t> out;
  for (const CacheLevel& c : caches)
    out.push_back(c.size_bytes *
                  static_cast<uint64_t>(std::max(1, std::min(threads, c.instances))));
  return out;
}

LevelCurve curve(const std::vector<ResultFile>& files, const std::string& family,
                 const std::string& variant, const std::string& counter, int threads) {
  LevelCurve c;
  c.source = family + "/" + variant + "/pages:huge" +
             (threads ? "/threads:" + std::to_string(threads) : std::string());
  for (const ResultFile& f : files)
    for (const Measurement& m : f.measurements) {
      if (m.family != family || m.variant != variant || !m.has(counter)) continue;
      if (m.keys.count("pages") && m.keys.at("pages") != "huge") continue;
      if (threads && m.key_number("threads") != threads) continue;
      const double bytes =
          m.has("working_set_bytes") ? m.median("working_set_bytes") : m.key_number("bytes");
      c.points.push_back({bytes, m.best(counter)});
    }
  return c;
}

std::string fmt(double v, const char* format) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

}  // namespace

LevelReport detect_levels(const std::vector<ResultFile>& files) {
  LevelReport r;
  r.hwloc = hwloc_caches(files);
  for (const ResultFile& f : files)
    for (const Measurement& m : f.measurements)
      if (m.family == "cpu.bw" && m.variant == "read")
        r.bandwidth_threads =
            std::max(r.bandwidth_threads, static_cast<int>(m.key_number("threads")));
  r.latency = curve(files, "cpu.lat", "chase", "latency_ns", 0);
  r.bandwidth = curve(files, "cpu.bw", "read", "GBps", r.bandwidth_threads);
  r.latency.levels = name_levels(find_plateaus(r.latency.points), capacity_for(r.hwloc, 1));
  r.bandwidth.levels =
      name_levels(find_plateaus(r.bandwidth.points), capacity_for(r.hwloc, r.bandwidth_threads));
  return r;
}

std::string levels_markdown(const LevelReport& r) {
  std::ostringstream out;
  out << "## Cache levels found in the curves\n\n"
      << "Each level is a plateau of the curve; its edge is the largest working set still on "
         "the plateau. hwloc's size is per instance times the instances the threads can use. "
         "A level marked **disagrees** has an edge clearly away from hwloc's size (virtual "
         "machines often report the host's caches), or the curve shows a different number of "
         "levels than hwloc.\n\n";
  auto table = [&](const LevelCurve& c, const char* unit, const char* value_format) {
    out << "From `" << c.source << "` (" << c.points.size() << " sizes):\n\n";
    if (c.levels.empty()) {
      out << "_no curve measured_\n\n";
      return;
    }
    out << "| level | measured edge | hwloc size | plateau (" << unit
        << ", median of the points) | range | agrees |\n|---|---|---|---|---|---|\n";
    for (const DetectedLevel& l : c.levels) {
      out << "| " << l.name << " | "
          << (l.detected_bytes ? format_bytes(l.detected_bytes) : std::string("-")) << " | "
          << (l.hwloc_bytes ? format_bytes(l.hwloc_bytes) : std::string("-")) << " | "
          << fmt(l.plateau.median, value_format) << " | " << fmt(l.plateau.min, value_format)
          << " - " << fmt(l.plateau.max, value_format) << " | "
          << (l.disagrees ? "**disagrees**" : "yes") << " |\n";
    }
    out << "\n";
  };
  table(r.latency, "ns", "%.2f");
  table(r.bandwidth, "GB/s", "%.1f");
  return out.str();
}

}  // namespace memwall::harness
