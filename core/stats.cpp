#include "core/stats.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>

namespace memwall {

Summary summarize(std::vector<double> values) {
  if (values.empty()) throw std::invalid_argument("summarize: no values");
  std::sort(values.begin(), values.end());
  Summary s;
  s.count = static_cast<int>(values.size());
  s.min = values.front();
  s.max = values.back();
  const size_t mid = values.size() / 2;
  s.median = values.size() % 2 ? values[mid] : 0.5 * (values[mid - 1] + values[mid]);
  s.mean = std::accumulate(values.begin(), values.end(), 0.0) / s.count;
  if (s.count > 1) {
    double sq = 0;
    for (double v : values) sq += (v - s.mean) * (v - s.mean);
    s.stddev = std::sqrt(sq / (s.count - 1));
    s.cv = s.mean != 0 ? s.stddev / std::fabs(s.mean) : 0;
  }
  return s;
}

}  // namespace memwall
