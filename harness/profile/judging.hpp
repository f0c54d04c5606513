// What every figure's verdicts share: the ranges the field reaches, and one figure judged
// against what its hardware allows (profile/verdicts.cpp and each figure module).
#pragma once
#include <string>

#include "harness/profile/model.hpp"

namespace memwall::harness {

// The range the field reaches, as fractions of the theoretical: below `low` is low.
struct Expected {
  double low;
  std::string text;
};
inline const Expected kCpuStream{0.60,
                                 "60-90% of theoretical (STREAM kernels on all cores of a socket)"};
inline const Expected kHbm{0.80,
                           "80-93% of the datasheet (copy; a read kernel reaches a few % more)"};
inline const Expected kPcie{0.80, "85-95% of the link's rate (nvbandwidth's pinned copies)"};
inline const Expected kFma{0.85, "85-100% of units x lanes x 2 x the clock (FMA chains)"};
inline const Expected kLibrary{0.70, "70-95% of the datasheet (a library GEMM at a large shape)"};

// The verdict of a figure against its theoretical where there is one (ok, low against the
// field's range, suspect above what the hardware allows), unknown where there is none, and
// suspect where the run's state (v.state) loaded it.
Verdict judged(Verdict v, double theoretical, const std::string& source, const Expected* range);

}  // namespace memwall::harness
