// memwall gate: a profile against this machine's earlier runs.
#include "harness/track/gate.hpp"

#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>

#include "harness/cli/command.hpp"
#include "harness/profile/input_error.hpp"
#include "harness/profile/sha256.hpp"
#include "harness/track/history.hpp"

namespace memwall::harness {

namespace {

struct GateFlags {
  std::string profile, db = default_history_path(), threshold = "15%";
  GateOptions options;
  bool show_all = false;
};

int run_gate(GateFlags& o) {
  o.options.threshold = parse_threshold(o.threshold);
  std::ifstream in(o.profile);
  if (!in) throw InputError(o.profile + ": cannot read the file");
  std::stringstream text;
  text << in.rdbuf();
  const Profile profile = parse_profile(text.str(), o.profile);
  const auto baseline = history_profiles(o.db, profile, sha256_hex(text.str()));
  if (static_cast<int>(baseline.size()) < o.options.min_runs)
    throw InputError("only " + std::to_string(baseline.size()) + " earlier runs of " +
                     machine_key(profile) + " in " + o.db + "; the gate needs " +
                     std::to_string(o.options.min_runs) +
                     " (memwall history add PROFILE after each run)");
  const GateResult r = gate(profile, baseline, o.options);
  std::cout << gate_table(r, o.options, o.show_all);
  return r.regressions > 0 ? 1 : 0;
}

const bool registered = add_command(
    {50, [](CLI::App& app) {
       auto o = std::make_shared<GateFlags>();
       CLI::App* g = app.add_subcommand(
           "gate", "judge a profile against this machine's earlier runs (exit 1 on a regression)");
       g->add_option("profile", o->profile, "profile.json of the new run")->required();
       g->add_option("--db", o->db, "history database (default " + o->db + ")");
       g->add_option("--threshold", o->threshold, "smallest change that counts (15%)");
       g->add_option("--k", o->options.k,
                     "and at least this many robust standard deviations of the earlier runs (4)");
       g->add_option("--min-runs", o->options.min_runs, "earlier runs needed (5)")
           ->check(CLI::Range(2, 1000));
       g->add_flag("--all", o->options.all, "every benchmark, not only the headline metrics");
       g->add_flag("--show-all", o->show_all, "list the metrics that did not change too");
       return std::pair{g, CommandRun([o] { return run_gate(*o); })};
     }});

}  // namespace

}  // namespace memwall::harness
