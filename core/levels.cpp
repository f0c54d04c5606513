#include "core/levels.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "core/stats.hpp"

namespace memwall {

namespace {

bool within(double value, double reference, double tolerance) {
  return std::fabs(std::log(value / reference)) <= std::log1p(tolerance);
}

Plateau summarize_run(const std::vector<CurvePoint>& members) {
  std::vector<double> values;
  for (const CurvePoint& p : members) values.push_back(p.value);
  const Summary s = summarize(values);
  Plateau out;
  out.first_bytes = members.front().bytes;
  out.last_bytes = members.back().bytes;
  out.median = s.median;
  out.min = s.min;
  out.max = s.max;
  out.points = s.count;
  return out;
}

double median_of(const std::vector<CurvePoint>& members) {
  std::vector<double> values;
  for (const CurvePoint& p : members) values.push_back(p.value);
  return summarize(values).median;
}

// Least-squares slope of ln(value) against log2(bytes): how much the run changes per octave.
double slope_per_octave(const std::vector<CurvePoint>& members) {
  if (members.size() < 2) return 0;
  double sx = 0, sy = 0, sxx = 0, sxy = 0;
  for (const CurvePoint& p : members) {
    const double x = std::log2(p.bytes), y = std::log(p.value);
    sx += x;
    sy += y;
    sxx += x * x;
    sxy += x * y;
  }
  const double n = static_cast<double>(members.size());
  const double denominator = n * sxx - sx * sx;
  return denominator > 0 ? (n * sxy - sx * sy) / denominator : 0;
}

}  // namespace

std::vector<Plateau> find_plateaus(std::vector<CurvePoint> curve, double tolerance,
                                   int min_points) {
  curve.erase(std::remove_if(curve.begin(), curve.end(),
                             [](const CurvePoint& p) { return !(p.value > 0) || !(p.bytes > 0); }),
              curve.end());
  std::sort(curve.begin(), curve.end(),
            [](const CurvePoint& a, const CurvePoint& b) { return a.bytes < b.bytes; });
  std::vector<Plateau> all;
  std::vector<CurvePoint> members;
  for (size_t i = 0; i < curve.size(); ++i) {
    if (members.empty() || within(curve[i].value, median_of(members), tolerance)) {
      members.push_back(curve[i]);
      continue;
    }
    const bool next_back =
        i + 1 < curve.size() && within(curve[i + 1].value, median_of(members), tolerance);
    if (next_back) continue;  // a lone outlier
    all.push_back(summarize_run(members));
    members = {curve[i]};
  }
  if (!members.empty()) all.push_back(summarize_run(members));

  if (min_points <= 0 && curve.size() > 1) {
    const double octaves = std::log2(curve.back().bytes / curve.front().bytes);
    const double per_octave = octaves > 0 ? (curve.size() - 1) / octaves : 1;
    min_points = std::max(3, static_cast<int>(std::ceil(per_octave - 1e-9)));
  }
  std::vector<std::vector<CurvePoint>> runs;  // the members of each kept plateau
  std::vector<Plateau> kept;
  for (const Plateau& p : all) {
    if (p.points < min_points) continue;
    std::vector<CurvePoint> members;
    for (const CurvePoint& c : curve)
      if (c.bytes >= p.first_bytes && c.bytes <= p.last_bytes &&
          within(c.value, p.median, tolerance))
        members.push_back(c);
    // A slow ramp, not a level: judged without the run's two ends, which the neighbouring
    // transitions bend.
    const std::vector<CurvePoint> middle =
        members.size() >= 4 ? std::vector<CurvePoint>(members.begin() + 1, members.end() - 1)
                            : members;
    if (std::fabs(slope_per_octave(middle)) > std::log1p(tolerance) / 2) continue;
    if (!kept.empty() && within(p.median, kept.back().median, tolerance)) {
      runs.back().insert(runs.back().end(), members.begin(), members.end());
      kept.back() = summarize_run(runs.back());
      continue;
    }
    runs.push_back(members);
    kept.push_back(p);
  }
  for (size_t i = 0; i + 1 < kept.size(); ++i) {
    // The first measured size past the plateau, whichever run it fell in.
    for (const CurvePoint& p : curve) {
      if (p.bytes > kept[i].last_bytes) {
        kept[i].next_bytes = p.bytes;
        break;
      }
    }
  }
  return kept;
}

std::vector<DetectedLevel> name_levels(const std::vector<Plateau>& plateaus,
                                       const std::vector<uint64_t>& hwloc_bytes) {
  std::vector<DetectedLevel> out;
  const bool count_matches = plateaus.size() == hwloc_bytes.size() + 1;
  for (size_t i = 0; i < plateaus.size(); ++i) {
    DetectedLevel level;
    level.plateau = plateaus[i];
    const bool last = i + 1 == plateaus.size();
    char name[24];  // snprintf: GCC 12 warns falsely (-Wrestrict) on "L" + std::to_string
    std::snprintf(name, sizeof name, "L%zu", i + 1);
    level.name = last ? "DRAM" : name;
    if (!last) {
      level.detected_bytes = static_cast<uint64_t>(plateaus[i].last_bytes);
      if (i < hwloc_bytes.size()) {
        level.hwloc_bytes = hwloc_bytes[i];
        // The edge lies between the last size on the plateau and the first one past it;
        // allow a quarter either side for associativity and for the other data in the cache.
        const double hw = static_cast<double>(hwloc_bytes[i]);
        const double next = plateaus[i].next_bytes > 0 ? plateaus[i].next_bytes : hw;
        level.disagrees = hw < plateaus[i].last_bytes / 1.25 || hw > next * 1.25;
      } else {
        level.disagrees = true;
      }
    } else {
      level.disagrees = !count_matches;
    }
    out.push_back(level);
  }
  return out;
}

}  // namespace memwall
