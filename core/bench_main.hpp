// What every bench_* binary shares: its command line, the result file (valid after every
// benchmark, closed even when the process crashes), Ctrl-C that keeps what was measured,
// progress, errors that cost one benchmark, and the measuring loop itself.
#pragma once
#include <benchmark/benchmark.h>

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "core/flags.hpp"
#include "core/registry.hpp"

namespace memwall {

struct BenchProgram {
  std::string name;  // "bench_cpu"
  // The part of the machine it measures (memwall run --only PART): cpu, gpu, comm, io.
  std::string part;
  // Also started under MPI (mpirun or srun) with --mpi, beside the node-local start.
  bool runs_under_mpi = false;
  std::function<void(Flags&)> add_options;  // the binary's own flags
  std::function<void()> prepare;      // after parsing, before the families; may throw UsageError
  std::function<void()> add_context;  // binary-specific context keys
  // Several processes running the same benchmarks in step (MPI ranks): only the primary one
  // reports and writes the file, and every region's seconds are agreed on (the slowest
  // rank's), so Google Benchmark picks the same iteration counts on every rank.
  std::function<bool()> is_primary;
  std::function<double(double)> agree_seconds;
  // The kernel thread ids of the binary's worker threads, whose hardware counts are added to
  // the calling thread's (PAPI).
  std::function<std::vector<int>()> counted_threads;
  // The devices it measures one at a time (bench_gpu: the GPUs, --device N): memwall run
  // starts it once per device. Empty: one start.
  std::function<int()> device_count;
  // Its kernels read host memory: the PMU's memory-read events are counted beside them
  // (counted_read_GBps) where the CPU has them.
  bool counts_memory_reads = false;
  // The device's own state over each benchmark, beside core's load and steal (bench_gpu: the
  // SM clock, what held it, the PCIe link, from NVML), as state_* counters of its repetitions.
  std::function<void()> state_begin;
  std::function<void(std::map<std::string, double>&)> state_end;
};

// Parses flags (ours first, the rest go to Google Benchmark), registers every family of the
// registry, runs, and writes --out. Exit codes: 0 ok; 1 a benchmark failed its check, threw or
// hit a library error (the others still ran); 2 bad input; 130 interrupted. A crash (a fatal
// signal) ends the process with that signal after closing --out with the benchmarks finished.
int bench_main(int argc, char** argv, const BenchProgram& program);

// --quick, --full or neither; set before the families register.
RunMode run_mode();

// --time-scale (0, 1]: what a time budget leaves of the mode's sampling. Core scales each
// repetition's seconds and the repetitions by it; a family may sample fewer points or pairs
// with it, never dropping a level, a format or a distance class, and says so in its context.
double time_scale();

// The result file (--out; empty without one), and whether this start only plans (--plan):
// what a family that writes files (storage) places beside the results, or must not create.
const std::string& result_path();
bool planning();

// True once SIGINT or SIGTERM arrived: bodies stop at the next iteration.
bool stop_requested();

// Runs the benchmark loop. `region` runs the measured work once and returns its seconds (a
// timed region of core/timing.hpp, a ThreadPool::run_timed result, or core/gpu_timing.hpp's);
// this loop feeds them to Google Benchmark as manual time. Returns the sum of the seconds; 0 if
// the run was interrupted.
double measure(benchmark::State& state, const std::function<double()>& region);

// Registers one benchmark the way every memwall benchmark is run: manual time from
// measure(), min and max over repetitions beside Google Benchmark's mean/median/stddev/cv, and
// an exception from the body turned into that benchmark's error ("error: ...").
// `min_seconds` > 0: each repetition lasts at least that long unless the user gave --min-time
// (bandwidth samples are in steady state only over ~0.1 s of passes).
// `estimate`: what the plan (--plan) estimates the benchmark's time from, besides its
// repetitions and minimum time.
struct Estimate {
  double setup_s = 0;             // allocating, first touching, building a chase
  bool setup_every_call = false;  // paid on each call of the body: the iteration-count search
                                  // and every repetition call it anew
  double iteration_s = 0;         // one iteration, where that is longer than the minimum time
};
void add_benchmark(const std::string& name, std::function<void(benchmark::State&)> body,
                   double min_seconds = 0, Estimate estimate = {});

// The nominal costs families estimate from: this project's 2-core development machine's, as
// the plan's estimates are checked against a run there (docs). A plan's figures, never a
// result.
namespace nominal {
double touch_s(double bytes, int threads = 1);    // allocate and first touch: 1.2 GB/s a thread
double stream_s(double bytes, int threads = 1);   // read and write: 10 GB/s a thread
double chase_build_s(double bytes, bool random);  // link a chase: 0.8 GB/s, shuffled 0.35 GB/s
double flops_s(double flops, int threads = 1);    // 60 GFLOP/s a thread
double message_s(double bytes);        // an MPI message's pattern, transfer and check: 2 MB/s
double storage_write_s(double bytes);  // write a file to its disk and sync it: 0.5 GB/s
}  // namespace nominal

// Records a kernel's own check of its output: sets the `valid` counter, and on failure marks
// the run failed with `what` and makes the binary exit 1.
bool check_result(benchmark::State& state, bool ok, const std::string& what);

// This machine cannot run the benchmark ("needs AVX512_BF16"): reported as skipped, not failed.
void skip(benchmark::State& state, const std::string& reason);

}  // namespace memwall
