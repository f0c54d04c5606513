// memwall run --plan and --budget: what each binary will run here (asked of the binary itself,
// --plan, so the plan is the run's own registration), the estimated time of each benchmark and
// in all, and the time scale that makes a run fit a budget. Nothing is measured.
#pragma once
#include <iosfwd>
#include <string>
#include <vector>

#include "harness/cli/runner.hpp"

namespace memwall::harness {

struct PlannedLaunch {
  std::string stem;     // bench_cpu, bench_comm_mpi
  std::string command;  // as it will be started
  std::string skip;     // not planned, and why
  double estimated_s = 0;
  int benchmarks = 0;
  std::string plan_json;  // the binary's own --plan output
};

struct Plan {
  std::vector<PlannedLaunch> launches;
  double estimated_s = 0;
  double time_scale = 1;
  double budget_s = 0;      // 0: none
  std::string budget_note;  // what the budget changed, for the report
};

// Asks every binary of the run for its plan at options.time_scale. InputError when one refuses.
Plan plan_run(const RunOptions& options, const std::vector<BenchBinary>& binaries);

// The largest time scale in (0, 1] whose plan fits `budget_s`, and that plan; the note says
// what was sampled (or that even the fewest samples do not fit).
Plan fit_budget(RunOptions options, const std::vector<BenchBinary>& binaries, double budget_s);

// Prints the plan for a person and writes out_dir/plan.json (atomically) for scripts.
void write_plan(const Plan& plan, const std::string& out_dir, std::ostream& out);

// "10m", "90s", "1h", "2m30s" -> seconds; InputError otherwise.
double parse_duration(const std::string& text);

}  // namespace memwall::harness
