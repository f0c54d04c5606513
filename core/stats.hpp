// Statistics over repetitions of one measurement.
#pragma once
#include <vector>

namespace memwall {

struct Summary {
  int count = 0;
  double min = 0, max = 0, median = 0, mean = 0;
  double stddev = 0;  // sample standard deviation (n-1)
  double cv = 0;      // stddev / mean; 0 when mean is 0 or count < 2
};

// Throws std::invalid_argument on an empty sample.
Summary summarize(std::vector<double> values);

}  // namespace memwall
