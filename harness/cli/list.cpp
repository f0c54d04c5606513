// memwall list: the benchmarks each bench binary offers.
#include <cstdio>
#include <iostream>

#include "harness/cli/command.hpp"
#include "harness/cli/runner.hpp"
#include "harness/profile/result_file.hpp"

namespace memwall::harness {

namespace {

int list_benchmarks() {
  const std::vector<std::string> wrapper = bench_wrapper();
  std::cout << "optional parts built: " << MEMWALL_OPTIONAL_FOUND
            << "; missing (skipped): " << MEMWALL_OPTIONAL_MISSING << "\n";
  for (const BenchBinary& b : find_bench_binaries(wrapper)) {
    std::string families;
    for (const std::string& f : b.families) families += (families.empty() ? "" : ", ") + f;
    std::cout << b.name << " (part " << b.part << "; families " << families << "): " << b.path
              << "\n"
              << std::flush;
    std::string command;
    for (const std::string& w : wrapper) command += w + " ";
    FILE* names = popen((command + b.path + " --benchmark_list_tests").c_str(), "r");
    if (!names) continue;
    char line[1024];
    while (fgets(line, sizeof line, names)) {
      std::string name(line);
      name.erase(name.find_last_not_of("\r\n") + 1);
      std::cout << "  " << strip_gbench_suffixes(name) << "\n";
    }
    pclose(names);
  }
  return 0;
}

const bool registered =
    add_command({70, [](CLI::App& app) {
                   return std::pair{app.add_subcommand("list", "the benchmarks each binary offers"),
                                    CommandRun(list_benchmarks)};
                 }});

}  // namespace

}  // namespace memwall::harness
