// What the human-readable report says, as one Document (document.hpp) that the Markdown and
// HTML writers both render, built from the profile alone. The first screen answers "what are
// this machine's walls"; the details follow, each device in its own words (threads and hwloc
// for a CPU, SMs and the CUDA device for a GPU), each figure beside its table.
#pragma once
#include <string>
#include <vector>

#include "harness/profile/model.hpp"
#include "harness/report/document.hpp"

namespace memwall::harness {

Document report_document(const Profile& p);

// The files a report folder holds besides the figures: listed under "Data files".
std::vector<std::string> data_files(const Profile& p);

// The device the verdict leads with: the first GPU where one was measured, else the CPU.
std::string primary_device(const Profile& p);

}  // namespace memwall::harness
