// memwall report, and the report every memwall run ends with.
#pragma once
#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "harness/profile/model.hpp"

namespace memwall::harness {

// --dram, --references and --tex-wide, on both report and run.
struct ReportFlags {
  bool tex_wide = false;
  std::string dram, references;
};

// Builds the profile of `inputs` (result files or folders, or one profile.json alone), writes
// every report into `out_dir` (default: the input folder) and says where. `notes`: what memwall
// run noted about this run.
Profile report(const std::vector<std::string>& inputs, std::string out_dir,
               const std::vector<std::string>& notes, const ReportFlags& flags);
void add_report_flags(CLI::App& command, ReportFlags& flags);

}  // namespace memwall::harness
