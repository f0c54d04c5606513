// memwall run: the bench binaries that were built (under MPI where they ask for it), then the
// report; --plan says what it would run, --each-node runs it on every node of an allocation.
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>

#include "core/context.hpp"
#include "core/topology.hpp"
#include "core/units.hpp"
#include "harness/cli/command.hpp"
#include "harness/cli/fleet.hpp"
#include "harness/cli/plan.hpp"
#include "harness/cli/report.hpp"
#include "harness/cli/runner.hpp"
#include "harness/profile/input_error.hpp"

namespace memwall::harness {

namespace {

namespace fs = std::filesystem;

struct RunFlags {
  bool quick = false, full = false, plan_only = false, each_node = false, node_folder = false;
  std::string only, out_dir, budget;
  std::string recorded_command;  // the command the results record (--each-node passes its own)
  std::string cpu_args, gpu_args, comm_args, io_dir, io_device, io_size;
  std::vector<std::string> part_args;
  RunOptions mpi;
  ReportFlags report;
};

// memwall run --each-node: the same run on every node of the allocation (srun, one task a
// node), each into OUT/<node> of the one shared results folder, then the fleet view of them.
// This process's command line, as it was started (the flags to pass on to each node).
std::vector<std::string> own_command_line() {
  std::ifstream in("/proc/self/cmdline", std::ios::binary);
  std::vector<std::string> args;
  for (std::string a; std::getline(in, a, '\0');) args.push_back(a);
  return args;
}

// This process's command line quoted for a shell: what reproduces the run.
std::string own_command_text() {
  std::string command;
  for (const std::string& a : own_command_line())
    command += (command.empty() ? "" : " ") + memwall::shell_quoted(a);
  return command;
}

int run_each_node(const std::string& out_dir) {
  const std::vector<std::string> argv = own_command_line();
  const int argc = static_cast<int>(argv.size());
  std::vector<std::string> args = {"srun", "--ntasks-per-node=1"};
  const char* nodes = std::getenv("SLURM_JOB_NUM_NODES");
  if (nodes)
    args.insert(args.end(), {"--nodes=" + std::string(nodes), "--ntasks=" + std::string(nodes)});
  std::error_code ec;
  args.push_back(fs::read_symlink("/proc/self/exe", ec).string());
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--each-node" || a.rfind("--out=", 0) == 0) continue;
    if (a == "--out") {
      ++i;
      continue;
    }
    args.push_back(a);
  }
  args.insert(args.end(),
              {"--out", out_dir, "--node-folder", "--recorded-command", own_command_text()});
  fs::create_directories(out_dir);
  std::string line;
  for (const std::string& a : args) line += (line.empty() ? "" : " ") + a;
  std::cerr << "memwall: " << line << "\n";
  const int rc = run_child(args, nullptr);
  // Every node of the allocation, a folder or not: a node whose run failed is named.
  std::vector<std::string> names;
  if (const char* list = std::getenv("SLURM_JOB_NODELIST")) {
    std::string text;
    run_child_output({"scontrol", "show", "hostnames", list}, text);
    std::stringstream in(text);
    for (std::string n; in >> n;) names.push_back(n);
  }
  for (const auto& entry : fs::directory_iterator(out_dir, ec))
    if (entry.is_directory() &&
        std::find(names.begin(), names.end(), entry.path().filename().string()) == names.end())
      names.push_back(entry.path().filename().string());
  std::sort(names.begin(), names.end());
  std::vector<FleetNode> fleet_nodes;
  for (const std::string& n : names) {
    const fs::path folder = fs::path(out_dir) / n;
    if (!fs::exists(folder)) {
      FleetNode missing;
      missing.name = missing.source = n;
      missing.failed = "no results: its run did not start or wrote nothing";
      fleet_nodes.push_back(missing);
      continue;
    }
    fleet_nodes.push_back(load_fleet_node(folder.string()));
  }
  int usable = 0;
  for (const FleetNode& n : fleet_nodes) usable += n.failed.empty();
  if (usable < 3) {
    std::cerr << "memwall: " << usable << " nodes have a profile in " << out_dir
              << ": a fleet view needs three\n";
    return rc == 0 ? 0 : 1;
  }
  const FleetResult r = show_fleet(fleet_nodes, FleetOptions{}, out_dir);
  std::cerr << "memwall: fleet of " << r.nodes.size() << " nodes written to " << out_dir
            << "/fleet.md (also fleet.json fleet.svg)\n";
  return rc != 0 || r.outlier_nodes > 0 || r.failed_nodes > 0 ? 1 : 0;
}

int run_command(RunFlags& o) {
  if (o.quick && o.full) throw InputError("--quick and --full exclude each other");
  const std::vector<std::string> parts = memwall::split_list(o.only);
  const std::vector<BenchBinary> binaries = find_bench_binaries(bench_wrapper());
  RunOptions options = o.mpi;
  // What the bench binaries record as the command that reproduces their results.
  options.command = o.recorded_command.empty() ? own_command_text() : o.recorded_command;
  options.quick = o.quick;
  options.full = o.full;
  options.parts = parts;
  options.missing_note =
      std::string("optional parts configure left out: ") +
      (std::string(MEMWALL_OPTIONAL_MISSING).empty() ? "none" : MEMWALL_OPTIONAL_MISSING);
  if (!memwall::topology_error().empty()) throw InputError(memwall::topology_error());
  if (memwall::topology().foreign && !o.plan_only)
    throw InputError("HWLOC_XMLFILE=" + memwall::topology().source +
                     " describes another machine: memwall run --plan plans it, nothing "
                     "measures it");
  if (o.each_node) {
    if (!std::getenv("SLURM_JOB_ID"))
      throw InputError(
          "--each-node needs a Slurm allocation (run it inside salloc or sbatch): "
          "SLURM_JOB_ID is not set");
    if (std::getenv("SLURM_STEP_ID"))
      throw InputError("--each-node inside an srun step: run it from the job's script");
    if (o.plan_only) throw InputError("--each-node and --plan: plan on one node instead");
  }
  plan_launches(options, binaries);  // bad input stops here, before the folder is made
  double budget_s = o.quick ? 300 : 0;
  if (!o.budget.empty()) budget_s = o.budget == "none" ? 0 : parse_duration(o.budget);
  if (o.out_dir.empty()) {
    char host[256] = "host";
    gethostname(host, sizeof host - 1);
    char stamp[32];
    const time_t now = time(nullptr);
    strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", localtime(&now));
    o.out_dir = (fs::path("results") / (std::string(host) + "-" + stamp)).string();
  }
  if (o.each_node) return run_each_node(o.out_dir);
  if (o.node_folder) {
    const char* node = std::getenv("SLURMD_NODENAME");
    char host[256] = "node";
    gethostname(host, sizeof host - 1);
    o.out_dir = (fs::path(o.out_dir) / (node ? node : host)).string();
  }
  // Ctrl-C reaches the running benchmark too; it stops cleanly and we report what it kept.
  std::signal(SIGINT, SIG_IGN);
  options.out_dir = o.out_dir;
  for (const auto& [part, text] :
       {std::pair{"cpu", o.cpu_args}, std::pair{"gpu", o.gpu_args}, std::pair{"comm", o.comm_args}})
    if (!text.empty()) options.extra_args[part] = split_words(text);
  for (const auto& [flag, value] :
       {std::pair{"--io-dir", o.io_dir}, std::pair{"--io-device", o.io_device},
        std::pair{"--io-size", o.io_size}})
    if (!value.empty())
      options.extra_args["io"].insert(options.extra_args["io"].end(), {flag, value});
  for (const std::string& a : o.part_args) {
    const size_t eq = a.find('=');
    if (eq == std::string::npos || eq == 0)
      throw InputError("bad --args '" + a + "' (PART=\"FLAGS\", e.g. io=\"--io-dir /scratch\")");
    const std::vector<std::string> words = split_words(a.substr(eq + 1));
    auto& extra = options.extra_args[a.substr(0, eq)];
    extra.insert(extra.end(), words.begin(), words.end());
  }
  options.wrapper = bench_wrapper();
  std::vector<std::string> plan_notes;
  if (o.plan_only || budget_s > 0) {
    const Plan plan =
        budget_s > 0 ? fit_budget(options, binaries, budget_s) : plan_run(options, binaries);
    if (o.plan_only) {
      write_plan(plan, o.out_dir, std::cout);
      return 0;
    }
    options.time_scale = plan.time_scale;
    if (!plan.budget_note.empty()) {
      plan_notes.push_back(plan.budget_note);
      std::cerr << "memwall: " << plan.budget_note << "\n";
    }
  }
  fs::create_directories(o.out_dir);
  RunOutcome outcome = run_binaries(options, binaries);
  outcome.notes.insert(outcome.notes.begin(), plan_notes.begin(), plan_notes.end());
  Profile profile;
  try {
    profile = report({o.out_dir}, o.out_dir, outcome.notes, o.report);
  } catch (const InputError& e) {
    std::cerr << "memwall: error: " << e.what() << "\n";
    return 1;
  }
  // The exit code tells the truth: any failed, crashed or erroring benchmark makes it 1.
  const std::vector<Problem>& failed = profile.provenance.failed;
  for (const Problem& f : failed)
    std::cerr << "memwall: FAILED " << f.name << ": " << f.why << "\n";
  if (outcome.interrupted) return 130;
  if (outcome.failed || !failed.empty()) {
    if (failed.empty())  // a binary failed as a whole: the note above says which and how
      std::cerr << "memwall: a bench binary failed; the report says which, the rest are "
                   "measured\n";
    else
      std::cerr << "memwall: " << failed.size()
                << " benchmarks failed; the report lists them, the rest are measured\n";
    return 1;
  }
  return 0;
}

const bool registered = add_command(
    {10, [](CLI::App& app) {
       auto o = std::make_shared<RunFlags>();
       CLI::App* run = app.add_subcommand("run", "run the benchmarks that were built, then report");
       run->add_flag("--quick", o->quick, "quick characterization (about 2 minutes on 2 cores)");
       run->add_flag("--full", o->full, "every size, thread count and variant (long)");
       run->add_option(
           "--only", o->only,
           "parts to run, e.g. cpu,comm (default: every part a bench binary was built for)");
       run->add_option("--out", o->out_dir,
                       "folder for the results (default results/<host>-<time>)");
       run->add_option("--cpu-args", o->cpu_args,
                       "more flags for bench_cpu, e.g. \"--max-bytes 64MiB\"");
       run->add_option("--gpu-args", o->gpu_args, "more flags for bench_gpu");
       run->add_option("--comm-args", o->comm_args, "more flags for bench_comm");
       run->add_option("--io-dir", o->io_dir,
                       "folder of bench_io's test file (default: the results folder)");
       run->add_option("--io-device", o->io_device,
                       "a block device for bench_io to read (never written)");
       run->add_option("--io-size", o->io_size,
                       "bench_io's test file size (default 1GiB quick, 4GiB)");
       run->add_option("--args", o->part_args,
                       "more flags for the binary of one part, PART=\"FLAGS\" (repeatable), e.g. "
                       "io=\"--io-dir /scratch\"");
       run->add_option("--ranks", o->mpi.ranks, "MPI ranks (default: one per core, or srun's)")
           ->check(CLI::Range(2, 1 << 20));
       run->add_option("--hostfile", o->mpi.hostfile, "mpirun hostfile: ranks across these nodes");
       run->add_flag("--oversubscribe", o->mpi.oversubscribe, "allow more ranks than cores");
       run->add_flag(
           "--each-node", o->each_node,
           "inside a Slurm allocation: one memwall run per node (srun), each node's results "
           "in OUT/<node>, then memwall fleet over them into OUT");
       run->add_flag("--node-folder", o->node_folder,
                     "write into OUT/<this node's name> (--each-node)")
           ->group("");
       run->add_option("--recorded-command", o->recorded_command,
                       "the command the results record (--each-node's own)")
           ->group("");
       run->add_flag("--plan", o->plan_only,
                     "print what would run here (families, sizes, thread counts, pairs, ranks) and "
                     "the estimated time of each, write OUT/plan.json, measure nothing; "
                     "HWLOC_XMLFILE=F plans the machine F describes");
       run->add_option("--budget", o->budget,
                       "time the run must fit, e.g. 10m: fewer samples, never a level, format or "
                       "distance class fewer (quick: 5m; none: unbounded)");
       add_report_flags(*run, o->report);
       return std::pair{run, CommandRun([o] { return run_command(*o); })};
     }});

}  // namespace

}  // namespace memwall::harness
