// memwall: runs the bench_* binaries and turns their results into a report. Each subcommand is
// a file of its own (cli/command.hpp); this parses the command line and starts the one given.
#include <CLI/CLI.hpp>
#include <iostream>

#include "core/context.hpp"
#include "harness/cli/command.hpp"
#include "harness/profile/input_error.hpp"

using namespace memwall::harness;

int main(int argc, char** argv) {
  CLI::App app{"memwall: measure the memory wall of this machine"};
  app.set_version_flag("--version", std::string("memwall ") + memwall::memwall_version() +
                                        " (commit " + memwall::git_commit() + ", " +
                                        memwall::memwall_build_type() + " build)");
  app.require_subcommand(1);
  std::vector<std::pair<CLI::App*, CommandRun>> added;
  for (const Command& c : commands()) added.push_back(c.add(app));
  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {  // --help, --version
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "memwall: error: " << e.what() << " (see memwall --help)\n";
    return 2;
  }
  try {
    for (const auto& [command, run] : added)
      if (*command) return run();
    return 2;
  } catch (const std::exception& e) {  // InputError and every other: one line, exit 2
    std::cerr << "memwall: error: " << e.what() << "\n";
    return 2;
  }
}
