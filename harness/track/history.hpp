// memwall history: profiles kept in an SQLite database, listed per machine, and one metric
// followed over time.
#pragma once
#include <string>
#include <vector>

namespace memwall::harness {

// $MEMWALL_HISTORY, else $XDG_DATA_HOME/memwall/history.sqlite, else ~/.local/share/...
std::string default_history_path();

// Adds a profile.json; returns false (and changes nothing) when the same file is already in.
bool history_add(const std::string& db, const std::string& profile_path);
// One line per run: id, machine, date, commit, metrics.
std::string history_show(const std::string& db);
// One metric's best and median in every run of every machine that has it, by machine and date
// (cli/ prints and plots it). InputError where no run has it.
struct MetricHistory {
  std::string metric, counter;
  struct Run {
    std::string machine, date;
    double best = 0, median = 0;
  };
  std::vector<Run> runs;
};
MetricHistory history_trend(const std::string& db, const std::string& metric);

}  // namespace memwall::harness
