// What every bench_* binary shares: its command line, the result file written atomically,
// Ctrl-C that keeps what was measured, progress, and the measuring loop itself.
#pragma once
#include <benchmark/benchmark.h>

#include <CLI/CLI.hpp>
#include <cstdint>
#include <functional>
#include <string>

namespace memwall {

struct BenchProgram {
  std::string name;                            // "bench_cpu"
  std::function<void(CLI::App&)> add_options;  // the binary's own flags
  std::function<void()> register_benchmarks;   // after parsing; may throw UsageError
  std::function<void()> add_context;           // binary-specific context keys
};

// Parses flags (ours first, the rest go to Google Benchmark), registers, runs, and writes
// --out atomically. Exit codes: 0 ok, 1 a kernel's check failed, 2 bad input, 130 interrupted.
int bench_main(int argc, char** argv, const BenchProgram& program);

// --quick, --full or neither; set before register_benchmarks runs.
enum class RunMode { quick, normal, full };
RunMode run_mode();

// True once SIGINT or SIGTERM arrived: bodies stop at the next iteration.
bool stop_requested();

// Runs the benchmark loop. `region` runs the measured work once and returns its seconds (a
// ThreadPool::run_timed result, or a Stopwatch); this loop feeds them to Google Benchmark as
// manual time. Returns the sum of the seconds; 0 if the run was interrupted.
double measure(benchmark::State& state, const std::function<double()>& region);

// Registers one benchmark the way every memwall benchmark is run: manual time from
// measure(), and min and max over repetitions beside Google Benchmark's mean/median/stddev/cv.
benchmark::internal::Benchmark* add_benchmark(const std::string& name,
                                              std::function<void(benchmark::State&)> body);

// Records a kernel's own check of its output: sets the `valid` counter, and on failure marks
// the run failed with `what` and makes the binary exit 1.
bool check_result(benchmark::State& state, bool ok, const std::string& what);

}  // namespace memwall
