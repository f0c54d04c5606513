// Reference machines: published measured figures of other machines, each with its source
// (data/reference_machines.csv, or a file of the user's own with the same columns).
#pragma once
#include <string>
#include <vector>

#include "harness/profile/model.hpp"

namespace memwall::harness {

// The columns a references file has, in any order (more are ignored).
const std::vector<std::string>& reference_columns();

// Every row of `path`; InputError naming the file, the line and what is wrong for a missing
// column, a value that is not a number or LOW-HIGH, a core count that is not a whole number.
std::vector<Reference> load_references(const std::string& path);

// The references of `figure` (dram_triad, hbm_copy, ...) nearest to a device: those of the
// same model first, then the same microarchitecture, then the same vendor, then the rest of
// its kind; at most `count`, as indices into `all`.
std::vector<int> nearest_references(const std::vector<Reference>& all, const std::string& figure,
                                    const Device& device, size_t count);

}  // namespace memwall::harness
