#include "harness/cli/fleet.hpp"

#include <filesystem>
#include <iostream>
#include <memory>

#include "harness/cli/command.hpp"
#include "harness/cli/views.hpp"
#include "harness/report/writers.hpp"

namespace memwall::harness {

namespace fs = std::filesystem;

FleetResult show_fleet(const std::vector<FleetNode>& nodes, const FleetOptions& options,
                       const std::string& out_dir) {
  const FleetResult r = fleet(nodes, options);
  const std::string table = fleet_table(r, options);
  std::cout << table;
  if (!out_dir.empty()) {
    fs::create_directories(out_dir);
    write_file_atomically(fs::path(out_dir) / "fleet.md", table);
    write_file_atomically(fs::path(out_dir) / "fleet.json", fleet_json(r));
    write_file_atomically(fs::path(out_dir) / "fleet.svg", render_heat_map(fleet_heat_map(r)));
  }
  for (const FleetNode& n : r.nodes)
    if (!n.failed.empty()) std::cerr << "memwall: " << n.name << ": " << n.failed << "\n";
  return r;
}

namespace {

struct FleetFlags {
  std::vector<std::string> inputs;
  std::string threshold = "10%", out;
  FleetOptions options;
};

const bool registered = add_command(
    {60, [](CLI::App& app) {
       auto o = std::make_shared<FleetFlags>();
       CLI::App* f = app.add_subcommand(
           "fleet", "which of several nodes is not like the others (exit 1 when one is not)");
       f->add_option("inputs", o->inputs, "profile.json files or results folders, one a node")
           ->required();
       f->add_option("--threshold", o->threshold,
                     "smallest difference from the fleet's median that counts (10%)");
       f->add_option("--k", o->options.k,
                     "and at least this many robust standard deviations of the fleet (4)");
       f->add_option("--out", o->out, "also write fleet.md, fleet.json and fleet.svg here");
       return std::pair{f, CommandRun([o] {
                          o->options.threshold = parse_threshold(o->threshold);
                          std::vector<FleetNode> nodes;
                          for (const std::string& in : o->inputs)
                            nodes.push_back(load_fleet_node(in));
                          const FleetResult r = show_fleet(nodes, o->options, o->out);
                          return r.outlier_nodes > 0 || r.failed_nodes > 0 ? 1 : 0;
                        })};
     }});

}  // namespace

}  // namespace memwall::harness
