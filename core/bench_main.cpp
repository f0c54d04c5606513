#include "core/bench_main.hpp"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <memory>
#include <regex>
#include <vector>

#include "core/context.hpp"
#include "core/counters.hpp"
#include "core/timing.hpp"
#include "core/units.hpp"

namespace memwall {

namespace {

std::atomic<bool> g_stop{false};
std::atomic<int> g_failed_checks{0};
std::unique_ptr<HwCounters> g_counters;
RunMode g_mode = RunMode::normal;
std::vector<std::string> g_registered;  // names, for the progress count

// How many registered benchmarks Google Benchmark's filter selects: its regex is POSIX
// extended, matched anywhere in the full name, and a leading '-' negates it.
int count_selected(const std::string& filter) {
  if (filter.empty() || filter == "all" || filter == ".")
    return static_cast<int>(g_registered.size());
  const bool negate = filter[0] == '-';
  try {
    const std::regex re(negate ? filter.substr(1) : filter, std::regex::extended);
    int n = 0;
    for (const std::string& name : g_registered)
      n += std::regex_search(name + "/manual_time", re) != negate;
    return n;
  } catch (const std::regex_error&) {
    return 0;  // Google Benchmark reports the bad regex itself
  }
}

std::atomic<int64_t> g_stop_ns{0};

extern "C" void on_signal(int sig) {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  const int64_t ns = ts.tv_sec * 1000000000ll + ts.tv_nsec;
  if (!g_stop.exchange(true)) {
    g_stop_ns.store(ns);
    return;
  }
  // A second Ctrl-C kills at once, as users expect; one within a second is the same signal
  // sent twice (timeout(1) signals the child and then its process group).
  if (ns - g_stop_ns.load() > 1000000000ll) {
    std::signal(sig, SIG_DFL);
    std::raise(sig);
  }
}

// One line per finished benchmark: how far the run is, and the median, best and spread of its
// main counter, so a long run shows progress without pages of tables.
class ProgressReporter : public benchmark::BenchmarkReporter {
 public:
  bool ReportContext(const Context& context) override {
    start_ns_ = now_ns();
    std::fprintf(stderr, "%d CPUs, %.0f MHz; %zu caches reported\n", context.cpu_info.num_cpus,
                 context.cpu_info.cycles_per_second / 1e6, context.cpu_info.caches.size());
    return true;
  }
  void ReportRuns(const std::vector<Run>& runs) override {
    if (runs.empty()) return;
    ++count_;
    const double elapsed = static_cast<double>(now_ns() - start_ns_) * 1e-9;
    const std::string at = position(elapsed);
    std::string name = runs.front().run_name.str();
    name = name.substr(0, name.find("/manual_time"));
    for (const Run& run : runs) {
      if (run.error_occurred && run.error_message == "interrupted") {
        if (!told_interrupted_)
          std::fprintf(stderr, "[%s] interrupted: skipping the rest\n", at.c_str());
        told_interrupted_ = true;
        return;
      }
      if (run.error_occurred) {
        std::fprintf(stderr, "[%s] %s FAILED: %s\n", at.c_str(), name.c_str(),
                     run.error_message.c_str());
        return;
      }
    }
    ++measured_;
    const char* counter = nullptr;
    for (const char* c : {"GFLOPps", "GBps", "latency_ns", "busGBps"})
      if (runs.front().counters.count(c)) {
        counter = c;
        break;
      }
    auto stat = [&](const char* which) {
      for (const Run& run : runs)
        if (run.aggregate_name == which) return run.counters.at(counter).value;
      return runs.front().counters.at(counter).value;
    };
    if (!counter) {
      std::fprintf(stderr, "[%s] %s\n", at.c_str(), name.c_str());
      return;
    }
    const bool lower_is_better = std::string(counter) == "latency_ns";
    std::string also;  // a product's bandwidth beside its FLOP rate
    if (std::string(counter) == "GFLOPps" && runs.front().counters.count("GBps")) {
      char buf[48];
      std::snprintf(buf, sizeof buf, "  (GBps best %.1f)", [&] {
        for (const Run& run : runs)
          if (run.aggregate_name == "max") return run.counters.at("GBps").value;
        return runs.front().counters.at("GBps").value;
      }());
      also = buf;
    }
    std::fprintf(stderr, "[%s] %-58s %s median %9.3f best %9.3f cv %5.1f%%%s\n", at.c_str(),
                 name.c_str(), counter, stat("median"), stat(lower_is_better ? "min" : "max"),
                 100 * stat("cv"), also.c_str());
  }

 private:
  // "12/404 15s ~2m left": how far, and the time left if the rest go at the pace so far.
  std::string position(double elapsed) const {
    char buf[64];
    if (total_ > 0) {
      const double left = elapsed / count_ * std::max(0, total_ - count_);
      std::snprintf(buf, sizeof buf, "%4d/%d %5.0fs ~%.0fs left", count_, total_, elapsed, left);
    } else {
      std::snprintf(buf, sizeof buf, "%4d %5.0fs", count_, elapsed);
    }
    return buf;
  }

 public:
  void set_total(int total) { total_ = total; }

 private:
  int total_ = 0;
  int count_ = 0;
  int measured_ = 0;
  bool told_interrupted_ = false;
  int64_t start_ns_ = 0;

 public:
  int measured() const { return measured_; }
};

}  // namespace

RunMode run_mode() {
  return g_mode;
}

bool stop_requested() {
  return g_stop.load(std::memory_order_relaxed);
}

double measure(benchmark::State& state, const std::function<double()>& region) {
  double total = 0;
  if (g_counters) g_counters->start();
  for (auto _ : state) {
    if (stop_requested()) {
      state.SkipWithError("interrupted");
      break;
    }
    const double seconds = region();
    state.SetIterationTime(seconds);
    total += seconds;
  }
  if (g_counters) {
    const double iterations = static_cast<double>(std::max<int64_t>(1, state.iterations()));
    for (const auto& [name, value] : g_counters->stop())
      state.counters["papi_" + name] = value / iterations;
  }
  return stop_requested() ? 0 : total;
}

benchmark::internal::Benchmark* add_benchmark(const std::string& name,
                                              std::function<void(benchmark::State&)> body) {
  g_registered.push_back(name);
  auto* b = benchmark::RegisterBenchmark(name.c_str(), [body](benchmark::State& state) {
    if (stop_requested()) {
      state.SkipWithError("interrupted");
      for (auto _ : state) break;
      return;
    }
    body(state);
  });
  b->UseManualTime()->Unit(benchmark::kMicrosecond);
  b->ComputeStatistics(
      "min", [](const std::vector<double>& v) { return *std::min_element(v.begin(), v.end()); });
  b->ComputeStatistics(
      "max", [](const std::vector<double>& v) { return *std::max_element(v.begin(), v.end()); });
  return b;
}

bool check_result(benchmark::State& state, bool ok, const std::string& what) {
  state.counters["valid"] = ok ? 1 : 0;
  if (!ok) {
    g_failed_checks.fetch_add(1);
    state.SkipWithError(("check failed: " + what).c_str());
  }
  return ok;
}

int bench_main(int argc, char** argv, const BenchProgram& program) {
  CLI::App app{program.name + ": memwall benchmarks (Google Benchmark flags are accepted too)",
               program.name};
  app.allow_extras();
  std::string out_path;
  int repetitions = 0;
  double min_time = 0;
  std::string papi_events;
  bool quick = false, full = false;
  app.add_option("--out", out_path, "write the JSON results here (atomically)");
  app.add_flag("--quick", quick, "short run: fewer sizes and repetitions");
  app.add_flag("--full", full, "long run: every size, thread count and variant");
  app.add_option("--repetitions", repetitions, "repetitions of every benchmark")
      ->check(CLI::PositiveNumber);
  app.add_option("--min-time", min_time, "minimum seconds per repetition")
      ->check(CLI::PositiveNumber);
  app.add_option("--papi-events", papi_events,
                 "PAPI events to count around each kernel (default PAPI_TOT_CYC,PAPI_TOT_INS)");
  program.add_options(app);
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
  if (quick && full) {
    std::fprintf(stderr, "%s: error: --quick and --full exclude each other\n",
                 program.name.c_str());
    return 2;
  }
  g_mode = quick ? RunMode::quick : full ? RunMode::full : RunMode::normal;
  if (repetitions == 0) repetitions = quick ? 3 : full ? 7 : 5;
  if (min_time == 0) min_time = quick ? 0.02 : full ? 0.2 : 0.05;

  // Our defaults first, so a Google Benchmark flag the user gives overrides them.
  std::vector<std::string> args = {argv[0],
                                   "--benchmark_repetitions=" + std::to_string(repetitions),
                                   "--benchmark_min_time=" + std::to_string(min_time),
                                   "--benchmark_display_aggregates_only=true"};
  for (const std::string& extra : app.remaining()) {
    if (extra.rfind("--benchmark_out=", 0) == 0) {
      out_path = extra.substr(16);
    } else if (extra.rfind("--benchmark_", 0) == 0 || extra == "--v" ||
               extra.rfind("--v=", 0) == 0) {
      args.push_back(extra);
    } else {
      std::fprintf(stderr, "%s: error: unknown argument '%s' (see --help)\n", program.name.c_str(),
                   extra.c_str());
      return 2;
    }
  }
  std::string tmp_path;
  if (!out_path.empty()) {
    namespace fs = std::filesystem;
    const fs::path out(out_path);
    std::error_code ec;
    if (out.has_parent_path()) fs::create_directories(out.parent_path(), ec);
    tmp_path =
        (out.parent_path() / ("." + out.filename().string() + ".tmp." + std::to_string(getpid())))
            .string();
    args.push_back("--benchmark_out=" + tmp_path);
    args.push_back("--benchmark_out_format=json");
  }

  try {
    program.register_benchmarks();
  } catch (const UsageError& e) {
    std::fprintf(stderr, "%s: error: %s\n", program.name.c_str(), e.what());
    return 2;
  }

  std::vector<char*> gb_argv;
  for (std::string& a : args) gb_argv.push_back(a.data());
  int gb_argc = static_cast<int>(gb_argv.size());
  benchmark::Initialize(&gb_argc, gb_argv.data());
  if (benchmark::ReportUnrecognizedArguments(gb_argc, gb_argv.data())) return 2;

  const bool listing = std::any_of(args.begin(), args.end(), [](const std::string& a) {
    return a == "--benchmark_list_tests" || a == "--benchmark_list_tests=true";
  });
  if (!listing) {
    g_counters = std::make_unique<HwCounters>(papi_events);
    if (!g_counters->available()) {
      std::fprintf(stderr, "%s: hardware counters skipped: %s\n", program.name.c_str(),
                   g_counters->status().c_str());
      g_counters.reset();
    }
    add_common_context(program.name);
    add_context("memwall_mode", quick ? "quick" : full ? "full" : "default");
    add_context("papi", g_counters ? "on" : "off");
    if (program.add_context) program.add_context();
  }

  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  ProgressReporter progress;
  std::string filter;
  for (const std::string& a : args)
    if (a.rfind("--benchmark_filter=", 0) == 0) filter = a.substr(19);
  progress.set_total(count_selected(filter));
  const size_t ran = benchmark::RunSpecifiedBenchmarks(&progress);
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
  if (ran == 0 && !listing) {
    std::fprintf(stderr,
                 "%s: error: no benchmark matches the filter (see --benchmark_list_tests)\n",
                 program.name.c_str());
    return 2;
  }
  if (stop_requested()) {
    std::fprintf(stderr, "%s: interrupted; kept the %d benchmarks measured so far%s%s\n",
                 program.name.c_str(), progress.measured(), out_path.empty() ? "" : " in ",
                 out_path.c_str());
    return 130;
  }
  if (const int failed = g_failed_checks.load()) {
    std::fprintf(stderr, "%s: %d benchmark runs failed their output check (see the results)\n",
                 program.name.c_str(), failed);
    return 1;
  }
  if (!out_path.empty())
    std::fprintf(stderr, "%s: results in %s\n", program.name.c_str(), out_path.c_str());
  return 0;
}

}  // namespace memwall
