// A memwall subcommand, one file each (cli/<name>.cpp): it declares its flags on its own
// CLI11 subcommand, beside the code that reads them, and returns what runs once the command
// line is parsed. main() only parses and starts the one given, so adding a command is one file.
#pragma once
#include <CLI/CLI.hpp>
#include <functional>
#include <string>
#include <vector>

namespace memwall::harness {

using CommandRun = std::function<int()>;  // returns the exit code; throws InputError for bad input

struct Command {
  int order = 0;  // where it stands in memwall --help
  // Adds the subcommand with its flags to `app` and returns it with what runs it.
  std::function<std::pair<CLI::App*, CommandRun>(CLI::App& app)> add;
};

// Each command's file registers it once (a static, as the bench families do).
bool add_command(const Command& command);
const std::vector<Command>& commands();

// What the commands share: "5%" or "0.05" -> 0.05 (InputError otherwise); the words of a
// flag's text; the command put in front of every bench binary (MEMWALL_WRAPPER).
double parse_threshold(const std::string& text);
std::vector<std::string> split_words(const std::string& text);
std::vector<std::string> bench_wrapper();

}  // namespace memwall::harness
