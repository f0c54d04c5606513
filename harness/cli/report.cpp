#include "harness/cli/report.hpp"

#include <CLI/CLI.hpp>
#include <filesystem>
#include <iostream>

#include "harness/cli/command.hpp"
#include "harness/format.hpp"
#include "harness/profile/pipeline.hpp"
#include "harness/report/writers.hpp"

namespace memwall::harness {

namespace fs = std::filesystem;

namespace {

// A report's inputs are result files, or a profile.json alone (a folder holding no result
// files but a profile, or the profile's path): it rebuilds every report the same.
bool is_profile_input(const std::vector<std::string>& inputs) {
  if (inputs.size() != 1) return false;
  const fs::path in(inputs.front());
  if (fs::is_directory(in)) {
    for (const auto& entry : fs::directory_iterator(in)) {
      const std::string name = entry.path().filename().string();
      if (name.rfind("bench_", 0) == 0 && entry.path().extension() == ".json") return false;
    }
    return fs::exists(in / "profile.json");
  }
  return in.filename() == "profile.json";
}

// One line per device: its levels as the report gives them.
void print_levels(const Profile& p) {
  for (const auto& [id, levels] : p.memory) {
    std::cout << "memwall: " << id << " levels:";
    for (const Level& l : levels)
      std::cout << " " << l.name << " " << sig(l.latency_ns) << " ns "
                << (l.bandwidth_GBps > 0 ? with_unit(l.bandwidth_GBps, Quantity::bandwidth)
                                         : std::string("(no bandwidth)"))
                << (&l == &levels.back() ? "" : ";");
    std::cout << "\n";
  }
}

}  // namespace

Profile report(const std::vector<std::string>& inputs, std::string out_dir,
               const std::vector<std::string>& notes, const ReportFlags& flags) {
  Profile profile;
  if (is_profile_input(inputs)) {
    if (!flags.dram.empty() || !flags.references.empty())
      throw InputError(
          "--dram and --references apply to result files; this profile was built already");
    const fs::path in(inputs.front());
    profile = load_profile((fs::is_directory(in) ? in / "profile.json" : in).string());
  } else {
    ProfileInputs in;
    in.files = load_result_files(inputs);
    in.data_dir = data_dir();
    in.dram = flags.dram;
    in.references = flags.references;
    profile = build_profile(in);
    // What `memwall run` noted (binaries skipped, crashed or failed) belongs to this run's
    // profile alone: a later `memwall report` of the folder rebuilds from the result files.
    profile.provenance.run_notes = notes;
  }
  if (out_dir.empty())
    out_dir = fs::is_directory(inputs.front()) ? inputs.front()
                                               : fs::path(inputs.front()).parent_path().string();
  if (out_dir.empty()) out_dir = ".";
  fs::create_directories(out_dir);
  ReportOptions options;
  options.tex_wide = flags.tex_wide;
  const std::vector<std::string> written = write_reports(out_dir, profile, options);
  print_levels(profile);
  std::cout << "memwall: report written to " << (fs::path(out_dir) / "summary.md").string()
            << " (also";
  for (const std::string& name : written)
    if (name != "summary.md") std::cout << " " << name;
  std::cout << ")\n";
  return profile;
}

void add_report_flags(CLI::App& command, ReportFlags& flags) {
  command
      .add_option("--dram", flags.dram,
                  "DRAM channels x MT/s [x bits], e.g. 12x4800, for its theoretical bandwidth "
                  "where SMBIOS (dmidecode) cannot tell")
      ->check([](const std::string& v) {
        try {
          parse_dram(v);
          return std::string();
        } catch (const InputError& e) {
          return std::string(e.what()).substr(std::string("--dram ").size());
        }
      });
  command.add_flag("--tex-wide", flags.tex_wide, "report.tex tables across both columns (table*)");
  command.add_option("--references", flags.references,
                     "reference machines to place the figures beside (CSV with the columns of "
                     "data/reference_machines.csv; default: that file)");
}

namespace {

struct ReportOptionsOfCommand {
  std::vector<std::string> inputs;
  std::string out;
  ReportFlags flags;
};

const bool registered = add_command(
    {20, [](CLI::App& app) {
       auto o = std::make_shared<ReportOptionsOfCommand>();
       CLI::App* rep = app.add_subcommand("report", "merge result files into a report");
       rep->add_option("inputs", o->inputs, "result folder, bench_*.json files, or a profile.json")
           ->required();
       rep->add_option("--out", o->out, "folder for the report (default: the input folder)");
       add_report_flags(*rep, o->flags);
       return std::pair{rep, CommandRun([o] {
                          report(o->inputs, o->out, {}, o->flags);
                          return 0;
                        })};
     }});

}  // namespace

}  // namespace memwall::harness
