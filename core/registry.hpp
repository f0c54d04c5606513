// The registry every bench_* binary's families add themselves to. A family is one file that
// declares itself whole: its name, its own flags (on the binary's command line, with their
// help text, under a heading of the family's name), and how it registers its benchmarks from
// the run's one configuration. Adding a family is one new file and one line of CMake; the
// binary's main() never changes.
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "core/flags.hpp"

namespace memwall {

// --quick, --full or neither: the one run mode of every binary.
enum class RunMode { quick, normal, full };

// What every family registers its benchmarks from.
struct RunConfig {
  RunMode mode = RunMode::normal;
  bool quick() const { return mode == RunMode::quick; }
  bool full() const { return mode == RunMode::full; }
};

struct Family {
  std::string name;                           // cpu.bw
  std::function<void(Flags&)> options;        // its own flags; may be empty
  std::function<void(const RunConfig&)> add;  // registers; may throw UsageError
  // The run's second phase: what the family measures again once every family's benchmarks are
  // registered (cpu.bw's read, the roof of the products, at a second moment). May be empty.
  std::function<void(const RunConfig&)> again = nullptr;
};

bool add_family(Family family);
bool add_family(const std::string& name, std::function<void(const RunConfig&)> add);
// Puts every family's flags on the binary's command line, each family under its own heading.
void add_family_options(Flags& app);
// Calls every family's add, in name order, so benchmark order is stable from run to run; then
// every family's again, in name order.
void register_families(const RunConfig& config);
std::vector<std::string> family_names();

}  // namespace memwall
