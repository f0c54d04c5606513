// What every figure's verdicts share: the ranges the field reaches, and one figure judged
// against what its hardware allows (profile/verdicts.cpp and each figure module).
#pragma once
#include <string>

#include "harness/profile/model.hpp"

namespace memwall::harness {

// The range the field reaches, as fractions of the theoretical: below `low` is low.
struct Expected {
  double low = 0;
  std::string text;
};
// A range of data/expected_ranges.csv by its name (cpu_stream, hbm_copy, pcie_pinned,
// fma_chains, library_gemm): the one place the ranges live, which docs/method.md quotes.
// InputError where the data folder lacks the file or the row.
const Expected& expected_range(const std::string& name);

// The verdict of a figure against its theoretical where there is one (ok, low against the
// field's range, suspect above what the hardware allows), unknown where there is none, and
// suspect where the run's state (v.state) loaded it.
Verdict judged(Verdict v, double theoretical, const std::string& source, const Expected* range);

}  // namespace memwall::harness
