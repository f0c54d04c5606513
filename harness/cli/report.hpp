// memwall report, and the report every memwall run ends with.
#pragma once
#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "harness/profile/model.hpp"

namespace memwall::harness {

// Builds the profile of `inputs` (result files or folders, or one profile.json alone), writes
// every report into `out_dir` (default: the input folder) and says where. `notes`: what memwall
// run noted about this run; `dram`: --dram.
Profile report(const std::vector<std::string>& inputs, std::string out_dir,
               const std::vector<std::string>& notes, bool tex_wide, const std::string& dram);

// --dram and --tex-wide, on both report and run.
struct ReportFlags {
  bool tex_wide = false;
  std::string dram;
};
void add_report_flags(CLI::App& command, ReportFlags& flags);

}  // namespace memwall::harness
