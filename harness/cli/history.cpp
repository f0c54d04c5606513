// memwall history: profiles kept in SQLite, one metric followed over the runs.
#include "harness/track/history.hpp"

#include <iostream>
#include <memory>

#include "harness/cli/command.hpp"
#include "harness/cli/views.hpp"
#include "harness/report/writers.hpp"

namespace memwall::harness {

namespace {

struct HistoryFlags {
  std::string db = default_history_path(), add_path, trend_metric, trend_svg;
};

const bool registered = add_command(
    {40, [](CLI::App& app) {
       auto o = std::make_shared<HistoryFlags>();
       CLI::App* hist = app.add_subcommand("history", "keep profiles in SQLite and follow metrics");
       hist->add_option("--db", o->db, "history database (default " + o->db + ")");
       hist->require_subcommand(1);
       CLI::App* add = hist->add_subcommand("add", "add a profile.json");
       add->add_option("profile", o->add_path)->required();
       CLI::App* show = hist->add_subcommand("show", "list the runs per machine");
       CLI::App* trend = hist->add_subcommand("trend", "one metric over the runs");
       trend->add_option("metric", o->trend_metric, "benchmark name")->required();
       trend->add_option("--svg", o->trend_svg, "also plot it into this SVG file");
       return std::pair{hist, CommandRun([o, add, show] {
                          if (*add) {
                            const bool added = history_add(o->db, o->add_path);
                            std::cout << (added ? "added " : "already in the history: ")
                                      << o->add_path << " (" << o->db << ")\n";
                          } else if (*show) {
                            std::cout << history_show(o->db);
                          } else {
                            const MetricHistory h = history_trend(o->db, o->trend_metric);
                            std::cout << history_text(h);
                            if (!o->trend_svg.empty()) {
                              write_file_atomically(o->trend_svg, history_svg(h));
                              std::cout << "plot written to " << o->trend_svg << "\n";
                            }
                          }
                          return 0;
                        })};
     }});

}  // namespace

}  // namespace memwall::harness
