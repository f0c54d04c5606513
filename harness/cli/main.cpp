// memwall: runs the bench_* binaries and turns their results into a report.
#include <sys/wait.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <regex>
#include <sstream>

#include "core/context.hpp"
#include "core/topology.hpp"
#include "core/units.hpp"
#include "harness/cli/plan.hpp"
#include "harness/cli/runner.hpp"
#include "harness/format.hpp"
#include "harness/profile/pipeline.hpp"
#include "harness/profile/sha256.hpp"
#include "harness/report/writers.hpp"
#include "harness/track/compare.hpp"
#include "harness/track/fleet.hpp"
#include "harness/track/gate.hpp"
#include "harness/track/history.hpp"

namespace fs = std::filesystem;
using namespace memwall::harness;

namespace {

// A report's inputs are result files, or a profile.json alone (a folder holding no result
// files but a profile, or the profile's path): it rebuilds every report the same.
bool is_profile_input(const std::vector<std::string>& inputs) {
  if (inputs.size() != 1) return false;
  const fs::path in(inputs.front());
  if (fs::is_directory(in)) {
    for (const auto& entry : fs::directory_iterator(in)) {
      const std::string name = entry.path().filename().string();
      if (name.rfind("bench_", 0) == 0 && entry.path().extension() == ".json") return false;
    }
    return fs::exists(in / "profile.json");
  }
  return in.filename() == "profile.json";
}

// One line per device: its levels as the report gives them.
void print_levels(const Profile& p) {
  for (const auto& [id, levels] : p.memory) {
    std::cout << "memwall: " << id << " levels:";
    for (const Level& l : levels)
      std::cout << " " << l.name << " " << sig(l.latency_ns) << " ns "
                << (l.bandwidth_GBps > 0 ? with_unit(l.bandwidth_GBps, Quantity::bandwidth)
                                         : std::string("(no bandwidth)"))
                << (&l == &levels.back() ? "" : ";");
    std::cout << "\n";
  }
}

Profile report(const std::vector<std::string>& inputs, std::string out_dir,
               const std::vector<std::string>& notes, bool tex_wide, const std::string& dram) {
  Profile profile;
  if (is_profile_input(inputs)) {
    if (!dram.empty())
      throw InputError("--dram applies to result files; this profile was built already");
    const fs::path in(inputs.front());
    profile = load_profile((fs::is_directory(in) ? in / "profile.json" : in).string());
  } else {
    ProfileInputs in;
    in.files = load_result_files(inputs);
    in.data_dir = data_dir();
    in.dram = dram;
    profile = build_profile(in);
    // What `memwall run` noted (binaries skipped, crashed or failed) belongs to this run's
    // profile alone: a later `memwall report` of the folder rebuilds from the result files.
    profile.provenance.run_notes = notes;
  }
  if (out_dir.empty())
    out_dir = fs::is_directory(inputs.front()) ? inputs.front()
                                               : fs::path(inputs.front()).parent_path().string();
  if (out_dir.empty()) out_dir = ".";
  fs::create_directories(out_dir);
  ReportOptions options;
  options.tex_wide = tex_wide;
  const std::vector<std::string> written = write_reports(out_dir, profile, options);
  print_levels(profile);
  std::cout << "memwall: report written to " << (fs::path(out_dir) / "summary.md").string()
            << " (also";
  for (const std::string& name : written)
    if (name != "summary.md") std::cout << " " << name;
  std::cout << ")\n";
  return profile;
}

std::vector<std::string> split_words(const std::string& text) {
  std::vector<std::string> words;
  std::istringstream in(text);
  for (std::string w; in >> w;) words.push_back(w);
  return words;
}

double parse_threshold(const std::string& text) {
  std::string t = text;
  const bool percent = !t.empty() && t.back() == '%';
  if (percent) t.pop_back();
  size_t used = 0;
  double v = 0;
  try {
    v = std::stod(t, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != t.size() || v < 0)
    throw InputError("bad threshold '" + text + "' (e.g. 5%)");
  return percent || v >= 1 ? v / 100 : v;
}

}  // namespace

// memwall run --each-node: the same run on every node of the allocation (srun, one task a
// node), each into OUT/<node> of the one shared results folder, then the fleet view of them.
int run_each_node(int argc, char** argv, const std::string& out_dir) {
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
  args.insert(args.end(), {"--out", out_dir, "--node-folder"});
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
  const FleetOptions options;
  const FleetResult r = fleet(fleet_nodes, options);
  const std::string table = fleet_table(r, options);
  std::cout << table;
  write_file_atomically(fs::path(out_dir) / "fleet.md", table);
  write_file_atomically(fs::path(out_dir) / "fleet.json", fleet_json(r));
  write_file_atomically(fs::path(out_dir) / "fleet.svg", render_heat_map(fleet_heat_map(r)));
  for (const FleetNode& n : r.nodes)
    if (!n.failed.empty()) std::cerr << "memwall: " << n.name << ": " << n.failed << "\n";
  std::cerr << "memwall: fleet of " << r.nodes.size() << " nodes written to " << out_dir
            << "/fleet.md (also fleet.json fleet.svg)\n";
  return rc != 0 || r.outlier_nodes > 0 || r.failed_nodes > 0 ? 1 : 0;
}

int main(int argc, char** argv) {
  CLI::App app{"memwall: measure the memory wall of this machine"};
  app.set_version_flag("--version", std::string("memwall ") + memwall::memwall_version() +
                                        " (commit " + memwall::git_commit() + ", " +
                                        memwall::memwall_build_type() + " build)");
  app.require_subcommand(1);

  auto* run = app.add_subcommand("run", "run the benchmarks that were built, then report");
  bool quick = false, full = false;
  std::string only;
  std::vector<std::string> part_args;
  std::string out_dir, cpu_args, gpu_args, comm_args, io_dir, io_device, io_size;
  run->add_flag("--quick", quick, "quick characterization (about 2 minutes on 2 cores)");
  run->add_flag("--full", full, "every size, thread count and variant (long)");
  run->add_option("--only", only,
                  "parts to run, e.g. cpu,comm (default: every part a bench binary was built for)");
  run->add_option("--out", out_dir, "folder for the results (default results/<host>-<time>)");
  run->add_option("--cpu-args", cpu_args, "more flags for bench_cpu, e.g. \"--max-bytes 64MiB\"");
  run->add_option("--gpu-args", gpu_args, "more flags for bench_gpu");
  run->add_option("--comm-args", comm_args, "more flags for bench_comm");
  run->add_option("--io-dir", io_dir,
                  "folder of bench_io's test file (default: the results folder)");
  run->add_option("--io-device", io_device, "a block device for bench_io to read (never written)");
  run->add_option("--io-size", io_size, "bench_io's test file size (default 1GiB quick, 4GiB)");
  run->add_option("--args", part_args,
                  "more flags for the binary of one part, PART=\"FLAGS\" (repeatable), e.g. "
                  "io=\"--io-dir /scratch\"");
  RunOptions mpi;
  run->add_option("--ranks", mpi.ranks, "MPI ranks (default: one per core, or srun's)")
      ->check(CLI::Range(2, 1 << 20));
  run->add_option("--hostfile", mpi.hostfile, "mpirun hostfile: ranks across these nodes");
  run->add_flag("--oversubscribe", mpi.oversubscribe, "allow more ranks than cores");
  bool plan_only = false, each_node = false, node_folder = false;
  run->add_flag("--each-node", each_node,
                "inside a Slurm allocation: one memwall run per node (srun), each node's results "
                "in OUT/<node>, then memwall fleet over them into OUT");
  run->add_flag("--node-folder", node_folder, "write into OUT/<this node's name> (--each-node)")
      ->group("");
  std::string budget;
  run->add_flag("--plan", plan_only,
                "print what would run here (families, sizes, thread counts, pairs, ranks) and "
                "the estimated time of each, write OUT/plan.json, measure nothing; "
                "HWLOC_XMLFILE=F plans the machine F describes");
  run->add_option("--budget", budget,
                  "time the run must fit, e.g. 10m: fewer samples, never a level, format or "
                  "distance class fewer (quick: 5m; none: unbounded)");

  auto* rep = app.add_subcommand("report", "merge result files into a report");
  std::vector<std::string> inputs;
  std::string report_out;
  rep->add_option("inputs", inputs, "result folder, bench_*.json files, or a profile.json")
      ->required();
  rep->add_option("--out", report_out, "folder for the report (default: the input folder)");
  bool tex_wide = false;
  std::string dram;
  for (auto* sub : {rep, run})
    sub->add_option("--dram", dram,
                    "DRAM channels x MT/s [x bits], e.g. 12x4800, for its theoretical bandwidth "
                    "where SMBIOS (dmidecode) cannot tell");
  rep->add_flag("--tex-wide", tex_wide, "report.tex tables across both columns (table*)");
  run->add_flag("--tex-wide", tex_wide, "report.tex tables across both columns (table*)");

  auto* cmp = app.add_subcommand("compare", "compare two runs (profiles or bench JSON files)");
  std::string base, now, threshold_text = "5%";
  bool all_rows = false;
  cmp->add_option("base", base, "profile.json or bench_*.json of the base run")->required();
  cmp->add_option("new", now, "the run to compare with it")->required();
  cmp->add_option("--threshold", threshold_text, "smallest relative change that counts (5%)");
  cmp->add_flag("--all", all_rows, "list unchanged metrics too");
  std::string only_regex;
  cmp->add_option("--only", only_regex, "compare only benchmarks whose name matches this regex");

  auto* hist = app.add_subcommand("history", "keep profiles in SQLite and follow metrics");
  std::string db = default_history_path();
  hist->add_option("--db", db, "history database (default " + db + ")");
  hist->require_subcommand(1);
  std::string add_path, trend_metric, trend_svg;
  hist->add_subcommand("add", "add a profile.json")->add_option("profile", add_path)->required();
  hist->add_subcommand("show", "list the runs per machine");
  auto* trend = hist->add_subcommand("trend", "one metric over the runs");
  trend->add_option("metric", trend_metric, "benchmark name")->required();
  trend->add_option("--svg", trend_svg, "also plot it into this SVG file");

  auto* gate_cmd = app.add_subcommand(
      "gate", "judge a profile against this machine's earlier runs (exit 1 on a regression)");
  std::string gate_profile, gate_db = default_history_path();
  GateOptions gate_options;
  std::string gate_threshold = "15%";
  bool gate_rows = false;
  gate_cmd->add_option("profile", gate_profile, "profile.json of the new run")->required();
  gate_cmd->add_option("--db", gate_db, "history database (default " + gate_db + ")");
  gate_cmd->add_option("--threshold", gate_threshold, "smallest change that counts (15%)");
  gate_cmd->add_option("--k", gate_options.k,
                       "and at least this many robust standard deviations "
                       "of the earlier runs (4)");
  gate_cmd->add_option("--min-runs", gate_options.min_runs, "earlier runs needed (5)")
      ->check(CLI::Range(2, 1000));
  gate_cmd->add_flag("--all", gate_options.all, "every benchmark, not only the headline metrics");
  gate_cmd->add_flag("--show-all", gate_rows, "list the metrics that did not change too");

  auto* fleet_cmd = app.add_subcommand(
      "fleet", "which of several nodes is not like the others (exit 1 when one is not)");
  std::vector<std::string> fleet_inputs;
  std::string fleet_threshold = "10%", fleet_out;
  FleetOptions fleet_options;
  fleet_cmd->add_option("inputs", fleet_inputs, "profile.json files or results folders, one a node")
      ->required();
  fleet_cmd->add_option("--threshold", fleet_threshold,
                        "smallest difference from the fleet's median that counts (10%)");
  fleet_cmd->add_option("--k", fleet_options.k,
                        "and at least this many robust standard deviations of the fleet (4)");
  fleet_cmd->add_option("--out", fleet_out, "also write fleet.md, fleet.json and fleet.svg here");

  auto* list = app.add_subcommand("list", "the benchmarks each binary offers");

  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {  // --help, --version
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "memwall: error: " << e.what() << " (see memwall --help)\n";
    return 2;
  }

  try {
    if (*cmp) {
      const double threshold = parse_threshold(threshold_text);
      auto selected = [&](std::vector<Metric> metrics) {
        if (only_regex.empty()) return metrics;
        std::regex re;
        try {
          re = std::regex(only_regex, std::regex::extended);
        } catch (const std::regex_error&) {
          throw InputError("bad --only regex '" + only_regex + "'");
        }
        std::erase_if(metrics, [&](const Metric& m) { return !std::regex_search(m.name, re); });
        return metrics;
      };
      const CompareResult r =
          compare_metrics(selected(load_metrics(base)), selected(load_metrics(now)), threshold);
      std::cout << compare_table(r, threshold, all_rows);
      return r.regressions > 0 ? 1 : 0;
    }
    if (*gate_cmd) {
      gate_options.threshold = parse_threshold(gate_threshold);
      std::ifstream in(gate_profile);
      if (!in) throw InputError(gate_profile + ": cannot read the file");
      std::stringstream text;
      text << in.rdbuf();
      const Profile profile = parse_profile(text.str(), gate_profile);
      const auto baseline = history_profiles(gate_db, profile, sha256_hex(text.str()));
      if (static_cast<int>(baseline.size()) < gate_options.min_runs)
        throw InputError("only " + std::to_string(baseline.size()) + " earlier runs of " +
                         machine_key(profile) + " in " + gate_db + "; the gate needs " +
                         std::to_string(gate_options.min_runs) +
                         " (memwall history add PROFILE after each run)");
      const GateResult r = gate(profile, baseline, gate_options);
      std::cout << gate_table(r, gate_options, gate_rows);
      return r.regressions > 0 ? 1 : 0;
    }
    if (*fleet_cmd) {
      fleet_options.threshold = parse_threshold(fleet_threshold);
      std::vector<FleetNode> nodes;
      for (const std::string& in : fleet_inputs) nodes.push_back(load_fleet_node(in));
      const FleetResult r = fleet(nodes, fleet_options);
      const std::string table = fleet_table(r, fleet_options);
      std::cout << table;
      if (!fleet_out.empty()) {
        fs::create_directories(fleet_out);
        write_file_atomically(fs::path(fleet_out) / "fleet.md", table);
        write_file_atomically(fs::path(fleet_out) / "fleet.json", fleet_json(r));
        write_file_atomically(fs::path(fleet_out) / "fleet.svg",
                              render_heat_map(fleet_heat_map(r)));
      }
      for (size_t i = 0; i < r.nodes.size(); ++i)
        if (!r.nodes[i].failed.empty())
          std::cerr << "memwall: " << r.nodes[i].name << ": " << r.nodes[i].failed << "\n";
      return r.outlier_nodes > 0 || r.failed_nodes > 0 ? 1 : 0;
    }
    if (*hist) {
      if (hist->got_subcommand("add")) {
        const bool added = history_add(db, add_path);
        std::cout << (added ? "added " : "already in the history: ") << add_path << " (" << db
                  << ")\n";
      } else if (hist->got_subcommand("show")) {
        std::cout << history_show(db);
      } else {
        std::cout << history_trend(db, trend_metric, trend_svg);
      }
      return 0;
    }
    std::vector<std::string> wrapper;
    if (const char* w = std::getenv("MEMWALL_WRAPPER")) wrapper = split_words(w);
    if (*list) {
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
    if (*rep) {
      report(inputs, report_out, {}, tex_wide, dram);
      return 0;
    }

    // memwall run
    if (quick && full) throw InputError("--quick and --full exclude each other");
    const std::vector<std::string> parts = memwall::split_list(only);
    const std::vector<BenchBinary> binaries = find_bench_binaries(wrapper);
    RunOptions options = mpi;
    options.quick = quick;
    options.full = full;
    options.parts = parts;
    options.missing_note =
        std::string("optional parts configure left out: ") +
        (std::string(MEMWALL_OPTIONAL_MISSING).empty() ? "none" : MEMWALL_OPTIONAL_MISSING);
    if (!memwall::topology_error().empty()) throw InputError(memwall::topology_error());
    if (memwall::topology().foreign && !plan_only)
      throw InputError("HWLOC_XMLFILE=" + memwall::topology().source +
                       " describes another machine: memwall run --plan plans it, nothing "
                       "measures it");
    if (each_node) {
      if (!std::getenv("SLURM_JOB_ID"))
        throw InputError(
            "--each-node needs a Slurm allocation (run it inside salloc or sbatch): "
            "SLURM_JOB_ID is not set");
      if (std::getenv("SLURM_STEP_ID"))
        throw InputError("--each-node inside an srun step: run it from the job's script");
      if (plan_only) throw InputError("--each-node and --plan: plan on one node instead");
    }
    plan_launches(options, binaries);  // bad input stops here, before the folder is made
    double budget_s = quick ? 300 : 0;
    if (!budget.empty()) budget_s = budget == "none" ? 0 : parse_duration(budget);
    if (out_dir.empty()) {
      char host[256] = "host";
      gethostname(host, sizeof host - 1);
      char stamp[32];
      const time_t now = time(nullptr);
      strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", localtime(&now));
      out_dir = (fs::path("results") / (std::string(host) + "-" + stamp)).string();
    }
    if (each_node) return run_each_node(argc, argv, out_dir);
    if (node_folder) {
      const char* node = std::getenv("SLURMD_NODENAME");
      char host[256] = "node";
      gethostname(host, sizeof host - 1);
      out_dir = (fs::path(out_dir) / (node ? node : host)).string();
    }
    // Ctrl-C reaches the running benchmark too; it stops cleanly and we report what it kept.
    std::signal(SIGINT, SIG_IGN);
    options.out_dir = out_dir;
    for (const auto& [part, text] :
         {std::pair{"cpu", cpu_args}, std::pair{"gpu", gpu_args}, std::pair{"comm", comm_args}})
      if (!text.empty()) options.extra_args[part] = split_words(text);
    for (const auto& [flag, value] :
         {std::pair{"--io-dir", io_dir}, std::pair{"--io-device", io_device},
          std::pair{"--io-size", io_size}})
      if (!value.empty())
        options.extra_args["io"].insert(options.extra_args["io"].end(), {flag, value});
    for (const std::string& a : part_args) {
      const size_t eq = a.find('=');
      if (eq == std::string::npos || eq == 0)
        throw InputError("bad --args '" + a + "' (PART=\"FLAGS\", e.g. io=\"--io-dir /scratch\")");
      const std::vector<std::string> words = split_words(a.substr(eq + 1));
      auto& extra = options.extra_args[a.substr(0, eq)];
      extra.insert(extra.end(), words.begin(), words.end());
    }
    options.wrapper = wrapper;
    std::vector<std::string> plan_notes;
    if (plan_only || budget_s > 0) {
      const Plan plan =
          budget_s > 0 ? fit_budget(options, binaries, budget_s) : plan_run(options, binaries);
      if (plan_only) {
        write_plan(plan, out_dir, std::cout);
        return 0;
      }
      options.time_scale = plan.time_scale;
      if (!plan.budget_note.empty()) {
        plan_notes.push_back(plan.budget_note);
        std::cerr << "memwall: " << plan.budget_note << "\n";
      }
    }
    fs::create_directories(out_dir);
    RunOutcome outcome = run_binaries(options, binaries);
    outcome.notes.insert(outcome.notes.begin(), plan_notes.begin(), plan_notes.end());
    Profile profile;
    try {
      profile = report({out_dir}, out_dir, outcome.notes, tex_wide, dram);
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
  } catch (const InputError& e) {
    std::cerr << "memwall: error: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "memwall: error: " << e.what() << "\n";
    return 2;
  }
}
