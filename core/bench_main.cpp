#include "core/bench_main.hpp"

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <regex>
#include <vector>

#include "core/context.hpp"
#include "core/counter_schema.hpp"
#include "core/counters.hpp"
#include "core/cpu_id.hpp"
#include "core/progress.hpp"
#include "core/registry.hpp"
#include "core/result_writer.hpp"
#include "core/roles.hpp"
#include "core/run_state.hpp"
#include "core/topology.hpp"
#include "core/units.hpp"

namespace memwall {

namespace {

// What the plan estimates each benchmark from: its minimum seconds and its setup.
struct PlannedCost {
  double min_seconds = 0;
  Estimate estimate;
};

// The one run of this process: what its command line set, the benchmarks the families
// registered, and what the plan estimates them from. bench_main's parts share this and nothing
// else (but for the stop flag below, which a signal handler must reach).
struct Registry {
  RunMode mode = RunMode::normal;
  double time_scale = 1;
  std::string resume_after;  // skip every benchmark up to and including this one
  bool resume_found = false;
  std::string result_path;                      // --out
  bool planning = false;                        // --plan: nothing is measured
  bool user_min_time = false;                   // --min-time given: it applies to every benchmark
  std::function<double(double)> agree_seconds;  // the slowest rank's seconds, under MPI
  std::unique_ptr<HwCounters> counters;
  std::atomic<int> failed{0};      // failed checks and errors
  std::vector<std::string> names;  // as registered, for the progress count and the plan
  std::vector<PlannedCost> costs;
  std::function<void()> state_begin;  // the binary's (BenchProgram)
  std::function<void(std::map<std::string, double>&)> state_end;
};

Registry& registry() {
  static Registry r;
  return r;
}

// Set by SIGINT and SIGTERM, with when the first came.
struct StopSignal {
  std::atomic<bool> requested{false};
  std::atomic<int64_t> first_ns{0};
};
StopSignal g_stop;

// Reports nothing: the secondary ranks of an MPI run.
class NullReporter : public benchmark::BenchmarkReporter {
 public:
  bool ReportContext(const Context&) override { return true; }
  void ReportRuns(const std::vector<Run>&) override {}
};

// How many registered benchmarks Google Benchmark's filter selects (its regex is POSIX
// extended, matched anywhere in the full name, and a leading '-' negates it); -1 when the
// filter is not a valid regular expression.
int count_selected(const std::string& filter) {
  if (filter.empty() || filter == "all" || filter == ".")
    return static_cast<int>(registry().names.size());
  const bool negate = filter[0] == '-';
  try {
    const std::regex re(negate ? filter.substr(1) : filter, std::regex::extended);
    int n = 0;
    for (const std::string& name : registry().names)
      n += std::regex_search(name + "/manual_time", re) != negate;
    return n;
  } catch (const std::regex_error&) {
    return -1;
  }
}

extern "C" MEMWALL_SIGNAL_HANDLER void on_signal(int sig) {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  const int64_t ns = ts.tv_sec * 1000000000ll + ts.tv_nsec;
  if (!g_stop.requested.exchange(true)) {
    g_stop.first_ns.store(ns);
    return;
  }
  // A second Ctrl-C kills at once, as users expect; one within a second is the same signal
  // sent twice (timeout(1) signals the child and then its process group).
  if (ns - g_stop.first_ns.load() > 1000000000ll) {
    std::signal(sig, SIG_DFL);
    std::raise(sig);
  }
}

// MEMWALL_INJECT_FAULT=<kind>:<text>: the benchmarks whose name contains <text> fail as <kind>
// says (check, throw, segv or kill), so the tests can show that a failure costs one benchmark.
void inject_fault(benchmark::State& state, const std::string& name) {
  static const std::string spec = [] {
    const char* env = std::getenv("MEMWALL_INJECT_FAULT");
    return std::string(env ? env : "");
  }();
  const size_t colon = spec.find(':');
  if (colon == std::string::npos || name.find(spec.substr(colon + 1)) == std::string::npos) return;
  const std::string kind = spec.substr(0, colon);
  if (kind == "throw") throw std::runtime_error("injected fault (MEMWALL_INJECT_FAULT)");
  if (kind == "check") check_result(state, false, "injected fault (MEMWALL_INJECT_FAULT)");
  if (kind == "segv") std::raise(SIGSEGV);
  if (kind == "kill") std::raise(SIGKILL);
  if (kind == "interrupt") std::raise(SIGINT);  // as Ctrl-C in the middle of the benchmark
}

// Google Benchmark aborts the whole program when the repetitions of one benchmark differ in
// iteration count, and a repetition that never entered its loop counts zero. So an interrupted
// repetition still runs its planned iterations, without the work, then says it was interrupted.
void skip_interrupted(benchmark::State& state) {
  for (auto _ : state) state.SetIterationTime(1.0);
  state.SkipWithError("interrupted");
}

// The seconds one benchmark takes: Google Benchmark sizes its iteration count (a few calls of
// the body that add up to about 0.6x the minimum time), then runs each repetition past the
// minimum time (1.25x it on average) or one iteration where that is longer; a fixed start.
double estimate_seconds(double min_time, int repetitions, const Estimate& e) {
  constexpr double kOverRun = 1.25, kSearch = 0.6, kStart = 0.004, kSearchCalls = 2;
  const double repetition = std::max(min_time * kOverRun, e.iteration_s);
  const double search = std::max(min_time * kSearch, e.iteration_s);
  const double setup = e.setup_every_call ? e.setup_s * (repetitions + kSearchCalls) : e.setup_s;
  return repetition * repetitions + search + setup + kStart;
}

// Starting the binary, finding the machine's context, closing the file (and MPI's start).
constexpr double kProcessStart_s = 0.4;

void print_plan(const BenchProgram& program, const std::string& filter, int repetitions,
                double min_time) {
  const Topology& t = topology();
  nlohmann::json memory = nlohmann::json::array();
  for (const MemoryNode& m : t.memory_nodes)
    memory.push_back(
        {{"node", m.index}, {"kind", m.kind}, {"bytes", m.bytes}, {"cores", m.core_cpus.size()}});
  nlohmann::json decisions = nlohmann::json::object();
  for (const auto& [key, value] : context_added()) decisions[key] = value;
  nlohmann::json list = nlohmann::json::array();
  double total = 0;
  std::regex re;
  const bool negate = !filter.empty() && filter[0] == '-';
  const bool all = filter.empty() || filter == "all" || filter == ".";
  if (!all) re = std::regex(negate ? filter.substr(1) : filter, std::regex::extended);
  for (size_t i = 0; i < registry().names.size(); ++i) {
    if (!all && std::regex_search(registry().names[i] + "/manual_time", re) == negate) continue;
    const double min_s =
        registry().costs[i].min_seconds > 0 ? registry().costs[i].min_seconds : min_time;
    const double s = estimate_seconds(min_s, repetitions, registry().costs[i].estimate);
    total += s;
    list.push_back({{"name", registry().names[i]}, {"estimated_s", s}});
  }
  const nlohmann::json plan = {{"binary", program.name},
                               {"part", program.part},
                               {"mode", registry().mode == RunMode::quick  ? "quick"
                                        : registry().mode == RunMode::full ? "full"
                                                                           : "default"},
                               {"repetitions", repetitions},
                               {"min_time_s", min_time},
                               {"time_scale", registry().time_scale},
                               {"topology",
                                {{"source", t.source},
                                 {"cpu", t.cpu_model},
                                 {"packages", t.packages},
                                 {"cores", t.cores},
                                 {"pus", t.pus},
                                 {"numa_nodes", t.numa_nodes},
                                 {"last_level_caches", t.llc_core_cpus.size()},
                                 {"memory_nodes", memory}}},
                               {"decisions", decisions},
                               {"estimated_s", total + kProcessStart_s},
                               {"benchmarks", list}};
  std::printf("%s\n", plan.dump(1).c_str());
}

}  // namespace

RunMode run_mode() {
  return registry().mode;
}

namespace nominal {
double touch_s(double bytes, int threads) {
  return bytes / (1.2e9 * std::max(1, threads));
}
double stream_s(double bytes, int threads) {
  return bytes / (1e10 * std::max(1, threads));
}
double chase_build_s(double bytes, bool random) {
  return bytes / (random ? 0.35e9 : 0.8e9);
}
double flops_s(double flops, int threads) {
  return flops / (6e10 * std::max(1, threads));
}
double message_s(double bytes) {
  return bytes / 2e6;
}
double storage_write_s(double bytes) {
  return bytes / 0.5e9;
}
}  // namespace nominal

const std::string& result_path() {
  return registry().result_path;
}

bool planning() {
  return registry().planning;
}

double time_scale() {
  return registry().time_scale;
}

bool stop_requested() {
  return g_stop.requested.load(std::memory_order_relaxed);
}

double measure(benchmark::State& state, const std::function<double()>& region) {
  double total = 0;
  if (registry().counters) registry().counters->start();
  bool interrupted = false;
  for (auto _ : state) {
    // Interrupted: the planned iterations still run, without the work (see skip_interrupted).
    if (interrupted || stop_requested()) {
      interrupted = true;
      state.SetIterationTime(1.0);
      continue;
    }
    double seconds = region();
    if (registry().agree_seconds) seconds = registry().agree_seconds(seconds);
    state.SetIterationTime(seconds);
    total += seconds;
  }
  if (registry().counters) {
    const double iterations = static_cast<double>(std::max<int64_t>(1, state.iterations()));
    const auto counts = registry().counters->stop();
    for (const auto& [name, value] : counts) state.counters["papi_" + name] = value / iterations;
    // What the PMU saw read from memory, beside the kernel's own byte count (hw_GBps).
    if (!registry().counters->traffic().events.empty() && !counts.empty() && total > 0)
      state.counters["counted_read_GBps"] =
          registry().counters->traffic_bytes(counts) / total / 1e9;
  }
  if (interrupted) state.SkipWithError("interrupted");
  return stop_requested() || state.error_occurred() ? 0 : total;
}

void add_benchmark(const std::string& name, std::function<void(benchmark::State&)> body,
                   double min_seconds, Estimate estimate) {
  if (!registry().resume_after.empty() && !registry().resume_found) {
    registry().resume_found = name == registry().resume_after;
    return;
  }
  min_seconds *= registry().time_scale;
  registry().names.push_back(name);
  registry().costs.push_back({registry().user_min_time ? 0 : min_seconds, estimate});
  auto* b = benchmark::RegisterBenchmark(name.c_str(), [name, body](benchmark::State& state) {
    crash_guard_enter(name);
    if (stop_requested()) {
      skip_interrupted(state);
      return;
    }
    state_window().begin(name);
    if (registry().state_begin) registry().state_begin();
    try {
      inject_fault(state, name);
      if (!state.error_occurred()) body(state);
    } catch (const std::exception& e) {
      registry().failed.fetch_add(1);
      state.SkipWithError(("error: " + std::string(e.what())).c_str());
    } catch (...) {
      registry().failed.fetch_add(1);
      state.SkipWithError("error: an unknown exception");
    }
    std::map<std::string, double> device_state;
    if (registry().state_end) registry().state_end(device_state);
    if (LoadState load; state_window().end(load)) {
      state.counters["state_other_cpus_busy"] = load.other_cpus_busy;
      state.counters["state_steal_percent"] = load.steal_percent;
      state.counters["state_loaded"] = load.loaded ? 1 : 0;
    }
    for (const auto& [key, value] : device_state) state.counters[key] = value;
  });
  b->UseManualTime()->Unit(benchmark::kMicrosecond);
  if (min_seconds > 0 && !registry().user_min_time) b->MinTime(min_seconds);
  b->ComputeStatistics(
      "min", [](const std::vector<double>& v) { return *std::min_element(v.begin(), v.end()); });
  b->ComputeStatistics(
      "max", [](const std::vector<double>& v) { return *std::max_element(v.begin(), v.end()); });
}

bool check_result(benchmark::State& state, bool ok, const std::string& what) {
  state.counters["valid"] = ok ? 1 : 0;
  if (!ok) {
    registry().failed.fetch_add(1);
    state.SkipWithError(("check failed: " + what).c_str());
  }
  return ok;
}

void skip(benchmark::State& state, const std::string& reason) {
  state.SkipWithError(("skipped: " + reason).c_str());
}

namespace {

// The binary's own command line; Google Benchmark's flags pass through in `passed_on`.
struct CommandLine {
  std::string out_path;
  int repetitions = 0;
  double min_time = 0;
  std::string papi_events, traffic_events = "auto";
  bool quick = false, full = false, describe = false, version = false, plan = false;
  std::vector<std::string> passed_on;
  std::string command_line;     // as it was started, quoted for a shell
  std::string memwall_command;  // the memwall command that started it, where one did
};

// Parses the command line: an exit code where the binary is done (help, a bad flag), else -1.
int parse_command_line(int argc, char** argv, const BenchProgram& program, CommandLine& cl) {
  for (int i = 0; i < argc; ++i) cl.command_line += (i ? " " : "") + shell_quoted(argv[i]);
  CLI::App app{program.name + ": memwall benchmarks (Google Benchmark flags are accepted too)",
               program.name};
  app.allow_extras();
  app.add_option("--out", cl.out_path, "write the JSON results here (valid after every benchmark)");
  app.add_option("--memwall-command", cl.memwall_command,
                 "the memwall command that started this run, recorded in the results");
  app.add_flag("--quick", cl.quick, "short run: fewer sizes and repetitions");
  app.add_flag("--full", cl.full, "long run: every size, thread count and variant");
  app.add_option("--repetitions", cl.repetitions, "repetitions of every benchmark")
      ->check(CLI::PositiveNumber);
  app.add_option("--min-time", cl.min_time, "minimum seconds per repetition")
      ->check(CLI::PositiveNumber);
  app.add_option("--papi-events", cl.papi_events,
                 "PAPI events to count around each kernel (default PAPI_TOT_CYC,PAPI_TOT_INS)");
  app.add_option("--traffic-events", cl.traffic_events,
                 "events counting 64-B lines read from memory, as EVENT+EVENT (summed); 'auto' "
                 "tries memwall's table for this CPU, 'off' counts none");
  app.add_option("--resume-after", registry().resume_after,
                 "run only the benchmarks registered after this one (after a crash)");
  app.add_flag("--plan", cl.plan,
               "print what would run (names, thread counts, pairs, the estimated seconds of "
               "each) as JSON and exit, measuring nothing");
  app.add_option("--time-scale", registry().time_scale,
                 "what a time budget leaves of the mode's samples, (0, 1] (memwall run --budget)")
      ->check(CLI::Range(1e-3, 1.0));
  app.add_flag("--describe", cl.describe,
               "print what this binary is (its part, families, MPI start) as JSON and exit");
  app.add_flag("--version", cl.version, "print the version, git commit and build type and exit");
  Flags flags(app);
  if (program.add_options) program.add_options(flags);
  add_family_options(flags);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    std::cout << app.help();
    std::cout << "\nGoogle Benchmark flags (--benchmark_filter=REGEX, --benchmark_list_tests, "
                 "...) are passed through.\n";
    return 0;
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "%s: error: %s\n", program.name.c_str(), e.what());
    return 2;
  }
  cl.passed_on = app.remaining();
  return -1;
}

// What memwall run reads to find and start the binaries it was installed beside.
void print_description(const BenchProgram& program) {
  const nlohmann::json d = {{"binary", program.name},
                            {"part", program.part},
                            {"runs_under_mpi", program.runs_under_mpi},
                            {"devices", program.device_count ? program.device_count() : 0},
                            {"families", family_names()},
                            {"roles", nlohmann::json::parse(roles_json(declared_roles()))},
                            {"built_with", split_list(MEMWALL_BUILT_WITH)}};
  std::printf("%s\n", d.dump().c_str());
}

// Google Benchmark's arguments: our defaults first, so a flag of its own the user gives
// overrides them. An exit code for an argument neither knows, else -1.
int benchmark_arguments(const char* argv0, const BenchProgram& program, CommandLine& cl,
                        std::vector<std::string>& args) {
  args = {argv0, "--benchmark_repetitions=" + std::to_string(cl.repetitions),
          "--benchmark_min_time=" + std::to_string(cl.min_time),
          "--benchmark_display_aggregates_only=true"};
  for (const std::string& extra : cl.passed_on) {
    if (extra.rfind("--benchmark_out=", 0) == 0) {
      cl.out_path = extra.substr(16);
    } else if (extra.rfind("--benchmark_", 0) == 0 || extra == "--v" ||
               extra.rfind("--v=", 0) == 0) {
      args.push_back(extra);
    } else {
      std::fprintf(stderr, "%s: error: unknown argument '%s' (see --help)\n", program.name.c_str(),
                   extra.c_str());
      return 2;
    }
  }
  return -1;
}

// The hardware counters this run can open, and the result file's context.
void add_run_context(const BenchProgram& program, const CommandLine& cl) {
  Registry& r = registry();
  const std::vector<TrafficEvents> traffic =
      cl.traffic_events == "off" || !program.counts_memory_reads ? std::vector<TrafficEvents>{}
      : cl.traffic_events == "auto"
          ? traffic_event_candidates(cpu_id())
          : std::vector<TrafficEvents>{traffic_events_from_list(cl.traffic_events)};
  r.counters = std::make_unique<HwCounters>(
      cl.papi_events, program.counted_threads ? program.counted_threads() : std::vector<int>{},
      traffic);
  std::string papi_off = "off";
  if (!r.counters->available()) {
    std::fprintf(stderr, "%s: hardware counters skipped: %s\n", program.name.c_str(),
                 r.counters->status().c_str());
    papi_off = "off: " + r.counters->status();
    r.counters.reset();
  }
  add_common_context(program.name);
  // The command that reproduces the result: memwall run's own where it started this binary.
  add_context("command_line", cl.command_line);
  if (!cl.memwall_command.empty()) add_context("memwall_command", cl.memwall_command);
  add_context("memwall_mode", cl.quick ? "quick" : cl.full ? "full" : "default");
  // The families' own counters, so the harness reads them as they were declared.
  if (const std::string declared = declared_counters_json(); declared != "[]")
    add_context("memwall_counters", declared);
  // What each family's benchmarks are for the harness (core/roles.hpp).
  if (!declared_roles().empty()) add_context("memwall_roles", roles_json(declared_roles()));
  add_context("papi", r.counters ? r.counters->status() : papi_off);
  if (!r.resume_after.empty()) add_context("resumed_after", r.resume_after);
  if (program.add_context) program.add_context();
}

// Where results go while the run lasts: a hidden name beside `out_path`, renamed when complete.
std::string temporary_path(const std::string& out_path) {
  namespace fs = std::filesystem;
  const fs::path out(out_path);
  std::error_code ec;
  if (out.has_parent_path()) fs::create_directories(out.parent_path(), ec);
  return (out.parent_path() / ("." + out.filename().string() + ".tmp." + std::to_string(getpid())))
      .string();
}

// The exit code of a run that ran `ran` benchmarks, and what it says about them.
int finish(const BenchProgram& program, size_t ran, bool listing, const std::string& out_path,
           int measured) {
  if (ran == 0 && !listing) {
    std::fprintf(stderr,
                 "%s: error: no benchmark matches the filter (see --benchmark_list_tests)\n",
                 program.name.c_str());
    return 2;
  }
  if (stop_requested()) {
    std::fprintf(stderr, "%s: interrupted; kept the %d benchmarks measured so far%s%s\n",
                 program.name.c_str(), measured, out_path.empty() ? "" : " in ", out_path.c_str());
    return 130;
  }
  if (const int failed = registry().failed.load()) {
    std::fprintf(stderr,
                 "%s: %d benchmark runs failed (a check, an error); the others are kept%s%s\n",
                 program.name.c_str(), failed, out_path.empty() ? "" : " in ", out_path.c_str());
    return 1;
  }
  if (!out_path.empty())
    std::fprintf(stderr, "%s: results in %s\n", program.name.c_str(), out_path.c_str());
  return 0;
}

}  // namespace

int bench_main(int argc, char** argv, const BenchProgram& program) {
  Registry& r = registry();
  CommandLine cl;
  if (const int done = parse_command_line(argc, argv, program, cl); done >= 0) return done;
  if (cl.version) {
    std::printf("%s (memwall %s, commit %s, %s build)\n", program.name.c_str(), memwall_version(),
                git_commit(), memwall_build_type());
    return 0;
  }
  if (cl.describe) {
    print_description(program);
    return 0;
  }
  if (cl.quick && cl.full) {
    std::fprintf(stderr, "%s: error: --quick and --full exclude each other\n",
                 program.name.c_str());
    return 2;
  }
  if (!topology_error().empty()) {
    std::fprintf(stderr, "%s: error: %s\n", program.name.c_str(), topology_error().c_str());
    return 2;
  }
  r.mode = cl.quick ? RunMode::quick : cl.full ? RunMode::full : RunMode::normal;
  if (cl.repetitions == 0)
    cl.repetitions = std::max(2, static_cast<int>(std::lround((cl.quick  ? 3
                                                               : cl.full ? 7
                                                                         : 5) *
                                                              r.time_scale)));
  r.user_min_time = cl.min_time > 0;
  if (cl.min_time == 0) cl.min_time = (cl.quick ? 0.02 : cl.full ? 0.2 : 0.05) * r.time_scale;
  std::vector<std::string> args;
  if (const int done = benchmark_arguments(argv[0], program, cl, args); done >= 0) return done;
  std::string filter;
  for (const std::string& a : args)
    if (a.rfind("--benchmark_filter=", 0) == 0) filter = a.substr(19);

  r.result_path = cl.out_path;
  r.planning = cl.plan;
  if (!role_problems().empty()) {  // a family's declaration breaks its role's contract
    std::fprintf(stderr, "%s: error: %s (core/roles.hpp)\n", program.name.c_str(),
                 role_problems().front().c_str());
    return 2;
  }
  try {
    if (program.prepare) program.prepare();
    register_families(RunConfig{r.mode});
  } catch (const UsageError& e) {
    std::fprintf(stderr, "%s: error: %s\n", program.name.c_str(), e.what());
    return 2;
  }
  if (!r.resume_after.empty() && !r.resume_found) {
    std::fprintf(stderr, "%s: error: --resume-after: no benchmark named '%s'\n",
                 program.name.c_str(), r.resume_after.c_str());
    return 2;
  }
  const int selected = count_selected(filter);
  if (selected < 0) {
    std::fprintf(stderr, "%s: error: --benchmark_filter '%s' is not a valid regular expression\n",
                 program.name.c_str(), filter.c_str());
    return 2;
  }
  if (cl.plan) {  // every rank registered alike; the first one tells
    if (!program.is_primary || program.is_primary())
      print_plan(program, filter, cl.repetitions, cl.min_time);
    return 0;
  }
  if (topology().foreign) {
    std::fprintf(stderr,
                 "%s: error: HWLOC_XMLFILE=%s describes another machine: it can be planned "
                 "(--plan), not measured\n",
                 program.name.c_str(), topology().source.c_str());
    return 2;
  }
  const bool primary = !program.is_primary || program.is_primary();
  r.agree_seconds = program.agree_seconds;
  r.state_begin = program.state_begin;
  r.state_end = program.state_end;
  std::string out_path = primary ? cl.out_path : "";  // only the primary rank writes
  std::string tmp_path;
  if (!out_path.empty()) {
    tmp_path = temporary_path(out_path);
    args.push_back("--benchmark_out=" + tmp_path);
    args.push_back("--benchmark_out_format=json");
  }

  std::vector<char*> gb_argv;
  for (std::string& a : args) gb_argv.push_back(a.data());
  int gb_argc = static_cast<int>(gb_argv.size());
  benchmark::Initialize(&gb_argc, gb_argv.data());
  if (benchmark::ReportUnrecognizedArguments(gb_argc, gb_argv.data())) return 2;
  const bool listing = std::any_of(args.begin(), args.end(), [](const std::string& a) {
    return a == "--benchmark_list_tests" || a == "--benchmark_list_tests=true";
  });
  if (!listing && primary) add_run_context(program, cl);

  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  if (!tmp_path.empty() && !listing) install_crash_handlers(program.name, tmp_path, out_path);
  ProgressReporter progress;
  progress.set_total(selected);
  NullReporter quiet;
  IncrementalJsonReporter file_reporter;
  const size_t ran = benchmark::RunSpecifiedBenchmarks(
      primary ? static_cast<benchmark::BenchmarkReporter*>(&progress) : &quiet,
      tmp_path.empty() || listing ? nullptr : &file_reporter);
  benchmark::Shutdown();

  if (!tmp_path.empty()) {
    std::error_code ec;
    if (ran == 0) {
      std::filesystem::remove(tmp_path, ec);
    } else {
      std::filesystem::rename(tmp_path, out_path, ec);
      if (ec) {
        std::fprintf(stderr, "%s: error: cannot write %s: %s\n", program.name.c_str(),
                     out_path.c_str(), ec.message().c_str());
        return 2;
      }
    }
  }
  if (!primary) return r.failed.load() ? 1 : 0;
  return finish(program, ran, listing, out_path, progress.measured());
}

}  // namespace memwall
