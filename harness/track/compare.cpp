#include "harness/track/compare.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <sstream>

namespace memwall::harness {

namespace {

// Number of orderings of n1 + n2 distinct values giving each U, by the classic recursion.
std::vector<double> u_distribution(int n1, int n2) {
  // ways[i][j][u] is built up row by row; only the last row is needed in the end.
  std::vector<std::vector<std::vector<double>>> ways(n1 + 1,
                                                     std::vector<std::vector<double>>(n2 + 1));
  for (int i = 0; i <= n1; ++i)
    for (int j = 0; j <= n2; ++j) {
      ways[i][j].assign(i * j + 1, 0);
      if (i == 0 || j == 0) {
        ways[i][j][0] = 1;
        continue;
      }
      for (int u = 0; u <= i * j; ++u) {
        double w = 0;
        if (u - j >= 0 && u - j <= (i - 1) * j) w += ways[i - 1][j][u - j];  // largest is from a
        if (u <= i * (j - 1)) w += ways[i][j - 1][u];                        // largest is from b
        ways[i][j][u] = w;
      }
    }
  return ways[n1][n2];
}

}  // namespace

double mann_whitney_p(const std::vector<double>& a, const std::vector<double>& b) {
  if (a.empty() || b.empty()) return 1;
  double u = 0;  // pairs where a wins, ties half
  for (double x : a)
    for (double y : b) u += x > y ? 1 : x == y ? 0.5 : 0;
  const int n1 = static_cast<int>(a.size()), n2 = static_cast<int>(b.size());
  const double mean = n1 * n2 / 2.0;
  if (n1 <= 20 && n2 <= 20) {
    const std::vector<double> dist = u_distribution(n1, n2);
    double total = 0, tail = 0;
    const double extreme = std::fabs(u - mean);
    for (size_t k = 0; k < dist.size(); ++k) {
      total += dist[k];
      if (std::fabs(k - mean) >= extreme - 1e-9) tail += dist[k];
    }
    return std::min(1.0, tail / total);
  }
  const double sd = std::sqrt(n1 * n2 * (n1 + n2 + 1) / 12.0);
  const double z = (std::fabs(u - mean) - 0.5) / sd;
  return std::erfc(z / std::sqrt(2.0));
}

CompareResult compare_metrics(const std::vector<Metric>& base, const std::vector<Metric>& now,
                              double threshold) {
  CompareResult r;
  std::map<std::string, const Metric*> by_name;
  for (const Metric& m : now) by_name[m.name] = &m;
  std::map<std::string, bool> seen;
  for (const Metric& b : base) {
    const auto it = by_name.find(b.name);
    if (it == by_name.end()) {
      r.only_in_base.push_back(b.name);
      continue;
    }
    seen[b.name] = true;
    const Metric& n = *it->second;
    Comparison c;
    c.name = b.name;
    c.counter = b.counter;
    c.base = b.median;
    c.now = n.median;
    const double raw = c.base != 0 ? (c.now - c.base) / std::fabs(c.base) : 0;
    c.change = b.higher_is_better ? raw : -raw;
    c.p = mann_whitney_p(b.samples, n.samples);
    const auto [bmin, bmax] = std::minmax_element(b.samples.begin(), b.samples.end());
    const auto [nmin, nmax] = std::minmax_element(n.samples.begin(), n.samples.end());
    c.disjoint = *nmax < *bmin || *nmin > *bmax;
    if (std::fabs(c.change) < threshold)
      c.verdict = Change::same;
    else if (!c.disjoint && c.p >= 0.05)
      c.verdict = Change::noise;
    else
      c.verdict = c.change < 0 ? Change::regression : Change::improvement;
    r.regressions += c.verdict == Change::regression;
    r.rows.push_back(c);
  }
  for (const Metric& n : now)
    if (!seen.count(n.name)) r.only_in_new.push_back(n.name);
  return r;
}

std::string compare_table(const CompareResult& r, double threshold, bool all_rows) {
  std::ostringstream out;
  char line[512];
  std::snprintf(line, sizeof line, "%-70s %-10s %12s %12s %8s %7s  %s\n", "benchmark", "counter",
                "base", "new", "change", "p", "verdict");
  out << line;
  int same = 0;
  for (const Comparison& c : r.rows) {
    if (!all_rows && c.verdict == Change::same) {
      ++same;
      continue;
    }
    std::snprintf(line, sizeof line, "%-70s %-10s %12.4g %12.4g %+7.1f%% %7.3f  %s\n",
                  c.name.c_str(), c.counter.c_str(), c.base, c.now, 100 * c.change, c.p,
                  text(c.verdict).c_str());
    out << line;
  }
  if (same)
    out << "(" << same << " metrics changed by less than " << 100 * threshold
        << "%; --all lists them)\n";
  for (const std::string& n : r.only_in_base) out << "only in base: " << n << "\n";
  for (const std::string& n : r.only_in_new) out << "only in new: " << n << "\n";
  int improvements = 0, noise = 0;
  for (const Comparison& c : r.rows)
    improvements += c.verdict == Change::improvement, noise += c.verdict == Change::noise;
  out << r.rows.size() << " metrics compared: " << r.regressions << " regressions, " << improvements
      << " improvements, " << noise << " changes within the runs' noise (threshold "
      << 100 * threshold << "%; change = better positive)\n";
  return out.str();
}

}  // namespace memwall::harness
