// memwall history: profiles kept in an SQLite database, listed per machine, and one metric
// followed over time.
#pragma once
#include <string>

namespace memwall::harness {

// $MEMWALL_HISTORY, else $XDG_DATA_HOME/memwall/history.sqlite, else ~/.local/share/...
std::string default_history_path();

// Adds a profile.json; returns false (and changes nothing) when the same file is already in.
bool history_add(const std::string& db, const std::string& profile_path);
// One line per run: id, machine, date, commit, metrics.
std::string history_show(const std::string& db);
// The metric's best value per run of each machine, in date order; writes an SVG if svg_path
// is not empty.
std::string history_trend(const std::string& db, const std::string& metric,
                          const std::string& svg_path);

}  // namespace memwall::harness
