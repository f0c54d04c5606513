// memwall compare: two runs metric by metric, and whether a change is beyond their noise.
#pragma once
#include <string>
#include <vector>

#include "harness/profile/model.hpp"

namespace memwall::harness {

// Two-sided p-value of the Mann-Whitney U test (exact for small samples, ties counted half),
// as Google Benchmark's compare.py uses to tell a change from noise.
double mann_whitney_p(const std::vector<double>& a, const std::vector<double>& b);

struct Comparison {
  std::string name, counter;
  double base = 0, now = 0;  // medians
  double change = 0;         // relative, signed so that negative is worse
  double p = 1;
  bool disjoint = false;           // every new sample on one side of every base sample
  Change verdict = Change::unset;  // regression, improvement, noise, same
};

struct CompareResult {
  std::vector<Comparison> rows;
  std::vector<std::string> only_in_base, only_in_new;
  int regressions = 0;
};

// A change counts when it is beyond `threshold` (relative) and beyond the noise: the two runs'
// samples do not overlap, or the U test gives p < 0.05.
CompareResult compare_metrics(const std::vector<Metric>& base, const std::vector<Metric>& now,
                              double threshold);
std::string compare_table(const CompareResult& r, double threshold, bool all_rows);

}  // namespace memwall::harness
