// memwall compare: two runs, metric by metric.
#include "harness/track/compare.hpp"

#include <iostream>
#include <memory>
#include <regex>

#include "harness/cli/command.hpp"
#include "harness/profile/input_error.hpp"
#include "harness/profile/pipeline.hpp"

namespace memwall::harness {

namespace {

struct CompareFlags {
  std::string base, now, threshold = "5%", only;
  bool all = false;
};

// The metrics of benchmarks whose name matches --only (all without it).
std::vector<Metric> selected(std::vector<Metric> metrics, const std::string& only) {
  if (only.empty()) return metrics;
  std::regex re;
  try {
    re = std::regex(only, std::regex::extended);
  } catch (const std::regex_error&) {
    throw InputError("bad --only regex '" + only + "'");
  }
  std::erase_if(metrics, [&](const Metric& m) { return !std::regex_search(m.name, re); });
  return metrics;
}

const bool registered = add_command(
    {30, [](CLI::App& app) {
       auto o = std::make_shared<CompareFlags>();
       CLI::App* cmp =
           app.add_subcommand("compare", "compare two runs (profiles or bench JSON files)");
       cmp->add_option("base", o->base, "profile.json or bench_*.json of the base run")->required();
       cmp->add_option("new", o->now, "the run to compare with it")->required();
       cmp->add_option("--threshold", o->threshold, "smallest relative change that counts (5%)");
       cmp->add_flag("--all", o->all, "list unchanged metrics too");
       cmp->add_option("--only", o->only, "compare only benchmarks whose name matches this regex");
       return std::pair{cmp, CommandRun([o] {
                          const double threshold = parse_threshold(o->threshold);
                          const CompareResult r =
                              compare_metrics(selected(load_metrics(o->base), o->only),
                                              selected(load_metrics(o->now), o->only), threshold);
                          std::cout << compare_table(r, threshold, o->all);
                          return r.regressions > 0 ? 1 : 0;
                        })};
     }});

}  // namespace

}  // namespace memwall::harness
