#include "harness/profile/segments.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

#include "core/stats.hpp"
#include "core/units.hpp"
#include "harness/format.hpp"

namespace memwall::harness {

namespace {

struct Piece {
  size_t begin = 0, end = 0;  // [begin, end) into the sorted curve
};

// The k pieces of least squared error of y (ln value), each at least min_points long; empty if
// none exists. Prefix sums make each piece's error O(1): O(k n^2) in all.
std::vector<Piece> best_pieces(const std::vector<double>& y, size_t k, size_t min_points) {
  const size_t n = y.size();
  if (k * min_points > n) return {};
  std::vector<double> s1(n + 1, 0), s2(n + 1, 0);
  for (size_t i = 0; i < n; ++i) {
    s1[i + 1] = s1[i] + y[i];
    s2[i + 1] = s2[i] + y[i] * y[i];
  }
  auto sse = [&](size_t a, size_t b) {
    const double sum = s1[b] - s1[a], len = static_cast<double>(b - a);
    return (s2[b] - s2[a]) - sum * sum / len;
  };
  const double inf = std::numeric_limits<double>::infinity();
  // cost[p][j]: the first j points in p pieces; from[p][j]: where the last piece starts.
  std::vector<std::vector<double>> cost(k + 1, std::vector<double>(n + 1, inf));
  std::vector<std::vector<size_t>> from(k + 1, std::vector<size_t>(n + 1, 0));
  cost[0][0] = 0;
  for (size_t p = 1; p <= k; ++p)
    for (size_t j = p * min_points; j <= n; ++j)
      for (size_t i = (p - 1) * min_points; i + min_points <= j; ++i) {
        if (cost[p - 1][i] == inf) continue;
        const double c = cost[p - 1][i] + sse(i, j);
        if (c < cost[p][j]) {
          cost[p][j] = c;
          from[p][j] = i;
        }
      }
  if (cost[k][n] == inf) return {};
  std::vector<Piece> pieces(k);
  size_t end = n;
  for (size_t p = k; p >= 1; --p) {
    pieces[p - 1] = {from[p][end], end};
    end = from[p][end];
  }
  return pieces;
}

bool within(double value, double reference, double tolerance) {
  return std::fabs(std::log(value / reference)) <= std::log1p(tolerance);
}

Plateau plateau_of(const std::vector<CurvePoint>& curve, const Piece& piece, double tolerance) {
  std::vector<double> all;
  for (size_t i = piece.begin; i < piece.end; ++i) all.push_back(curve[i].value);
  const double median = summarize(all).median;
  Plateau p;
  p.next_bytes = piece.end < curve.size() ? curve[piece.end].bytes : 0;
  std::vector<double> on;
  for (size_t i = piece.begin; i < piece.end; ++i) {
    if (!within(curve[i].value, median, tolerance)) continue;  // a transition point
    if (on.empty()) p.first_bytes = curve[i].bytes;
    p.last_bytes = curve[i].bytes;
    on.push_back(curve[i].value);
  }
  if (on.empty()) {  // a slide with no plateau: find_plateaus rejects such a piece
    p.first_bytes = curve[piece.begin].bytes;
    p.last_bytes = curve[piece.end - 1].bytes;
    p.median = p.min = p.max = median;
    return p;
  }
  const Summary s = summarize(on);
  p.median = s.median;
  p.min = s.min;
  p.max = s.max;
  p.points = s.count;
  return p;
}

}  // namespace

std::vector<Plateau> find_plateaus(std::vector<CurvePoint> curve, const SegmentOptions& options) {
  std::erase_if(curve, [](const CurvePoint& p) { return !(p.value > 0) || !(p.bytes > 0); });
  std::sort(curve.begin(), curve.end(),
            [](const CurvePoint& a, const CurvePoint& b) { return a.bytes < b.bytes; });
  if (curve.empty()) return {};
  const size_t n = curve.size();
  size_t min_points = static_cast<size_t>(std::max(0, options.min_points));
  if (min_points == 0) {
    const double octaves = n > 1 ? std::log2(curve.back().bytes / curve.front().bytes) : 1;
    const double per_octave = octaves > 0 ? static_cast<double>(n - 1) / octaves : 1;
    min_points = std::max<size_t>(2, static_cast<size_t>(std::ceil(per_octave / 2 - 1e-9)));
  }
  min_points = std::min(min_points, n);
  std::vector<double> y;
  for (const CurvePoint& p : curve) y.push_back(std::log(p.value));

  // BIC over the piece counts whose every step rises by at least min_step. The error floor (1%
  // in ln) keeps an exact staircase from driving the likelihood to infinity.
  double best_bic = std::numeric_limits<double>::infinity();
  std::vector<Piece> best = {{0, n}};
  const double nd = static_cast<double>(n);
  for (size_t k = 1; k <= static_cast<size_t>(options.max_pieces); ++k) {
    const std::vector<Piece> pieces = best_pieces(y, k, min_points);
    if (pieces.empty()) break;
    double rss = 0;
    std::vector<double> medians;
    for (const Piece& p : pieces) {
      std::vector<double> v(y.begin() + p.begin, y.begin() + p.end);
      double mean = 0;
      for (double x : v) mean += x / static_cast<double>(v.size());
      for (double x : v) rss += (x - mean) * (x - mean);
      medians.push_back(summarize(v).median);
    }
    // Every step rises enough, and every piece is a plateau, not a slide between two.
    bool valid = true;
    for (size_t i = 1; i < medians.size(); ++i)
      valid = valid && medians[i] - medians[i - 1] >= std::log1p(options.min_step);
    for (const Piece& p : pieces)
      valid = valid && static_cast<size_t>(plateau_of(curve, p, options.min_step / 2).points) >=
                           std::min(min_points, p.end - p.begin);
    if (!valid) continue;
    const double bic = nd * std::log(std::max(rss / nd, 1e-4)) + 2.0 * k * std::log(nd);
    if (bic < best_bic) {
      best_bic = bic;
      best = pieces;
    }
  }
  std::vector<Plateau> out;
  for (const Piece& p : best) out.push_back(plateau_of(curve, p, options.min_step / 2));
  return out;
}

double falling_edge(const std::vector<CurvePoint>& curve, double level_lo, double level_hi,
                    double next_lo, double next_hi, double min_drop) {
  auto median_over = [&](double lo, double hi) {
    std::vector<double> v;
    for (const CurvePoint& p : curve)
      if (p.bytes >= lo && p.bytes <= hi && p.value > 0) v.push_back(p.value);
    return v.empty() ? 0.0 : summarize(v).median;
  };
  const double level = median_over(level_lo, level_hi), next = median_over(next_lo, next_hi);
  if (!(level > 0) || !(next > 0) || level < next * (1 + min_drop)) return 0;
  const double threshold = std::sqrt(level * next);
  std::vector<CurvePoint> sorted;
  for (const CurvePoint& p : curve)
    if (p.bytes >= level_lo && p.value > 0) sorted.push_back(p);
  std::sort(sorted.begin(), sorted.end(),
            [](const CurvePoint& a, const CurvePoint& b) { return a.bytes < b.bytes; });
  double edge = 0;
  for (size_t i = 0; i < sorted.size(); ++i) {
    const bool below = sorted[i].value < threshold;
    const bool next_below = i + 1 == sorted.size() || sorted[i + 1].value < threshold;
    if (below && next_below) break;
    edge = sorted[i].bytes;
  }
  return edge;
}

std::vector<DetectedLevel> name_levels(const std::vector<Plateau>& plateaus,
                                       const std::vector<CacheInfo>& caches,
                                       const std::string& memory_name,
                                       const std::string& reported_by) {
  std::vector<DetectedLevel> out;
  if (plateaus.empty()) return out;
  // A curve that runs past twice the last cache's capacity ends in memory.
  const double end = std::max(plateaus.back().last_bytes, plateaus.back().first_bytes);
  const bool reaches_memory =
      !caches.empty() && end > 2.0 * static_cast<double>(caches.back().size_bytes);
  size_t cache = 0;
  std::vector<std::string> unseen;
  for (size_t i = 0; i < plateaus.size(); ++i) {
    const Plateau& p = plateaus[i];
    const bool last = i + 1 == plateaus.size();
    if (!out.empty() && out.back().kind == LevelKind::memory) {
      // A step past memory: translation, not a level. The largest is noted on memory.
      DetectedLevel& memory = out.back();
      if (p.median > memory.translation_latency) {
        memory.translation_bytes = p.first_bytes;
        memory.translation_latency = p.median;
      }
      continue;
    }
    // Caches whose capacity the curve runs past without a step were not seen (a victim or
    // inclusive cache can hide one, a virtual machine can get a sliver of one).
    const double edge = last ? p.first_bytes : p.last_bytes;
    while (cache < caches.size() && edge > 2.0 * static_cast<double>(caches[cache].size_bytes))
      unseen.push_back("L" + std::to_string(caches[cache++].level));
    DetectedLevel level;
    level.plateau = p;
    if (cache == caches.size() || (last && reaches_memory)) {
      level.name = memory_name;
      level.kind = LevelKind::memory;
      while (cache < caches.size()) unseen.push_back("L" + std::to_string(caches[cache++].level));
      out.push_back(level);
      continue;
    }
    const CacheInfo& c = caches[cache++];
    level.name = "L" + std::to_string(c.level);
    level.kind = LevelKind::cache;
    level.hwloc_bytes = c.size_bytes;
    if (!last) {
      level.detected_bytes = static_cast<uint64_t>(p.last_bytes);
      level.disagrees = p.last_bytes < 0.5 * static_cast<double>(c.size_bytes);
      if (level.disagrees)
        level.note = "the curve leaves this level at " +
                     bytes_text(static_cast<double>(level.detected_bytes)) +
                     ", below half of the " + bytes_text(static_cast<double>(c.size_bytes)) + " " +
                     reported_by + " reports";
    }
    out.push_back(level);
  }
  if (!out.empty() && out.back().kind == LevelKind::memory) {
    DetectedLevel& memory = out.back();
    std::string note;
    for (const std::string& name : unseen) note += (note.empty() ? "" : ", ") + name;
    if (!note.empty())
      note = "no plateau of its own for " + note + " (" + reported_by +
             " reports it; a virtual machine may get only a sliver of it)";
    if (memory.translation_latency > 0)
      note += std::string(note.empty() ? "" : "; ") + "past " +
              bytes_text(static_cast<double>(static_cast<uint64_t>(memory.translation_bytes))) +
              " latency rises to " +
              std::to_string(static_cast<int>(memory.translation_latency + 0.5)) +
              " ns: address translation (TLB reach; nested paging in a virtual machine), not "
              "another level";
    memory.note = note;
  }
  return out;
}

std::vector<DetectedLevel> detect_levels(const std::vector<CurvePoint>& curve,
                                         const std::vector<CacheInfo>& caches,
                                         const std::string& memory_name,
                                         const std::string& reported_by) {
  SegmentOptions options;
  std::vector<Plateau> plateaus = find_plateaus(curve, options);
  std::vector<DetectedLevel> levels = name_levels(plateaus, caches, memory_name, reported_by);
  auto cut_too_fine = [&] {
    return plateaus.size() > 2 && !levels.empty() && levels.back().kind == LevelKind::memory &&
           levels.back().translation_latency > 3 * levels.back().plateau.median;
  };
  while (cut_too_fine()) {
    options.max_pieces = static_cast<int>(plateaus.size()) - 1;
    plateaus = find_plateaus(curve, options);
    levels = name_levels(plateaus, caches, memory_name, reported_by);
  }
  return levels;
}

}  // namespace memwall::harness
