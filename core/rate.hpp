// The one way a benchmark reports what it measured: the work of one iteration, counted as the
// counter schema (core/counter_schema.hpp) says, and the seconds measure() returned over all
// iterations. Rates are computed here and nowhere else.
#pragma once
#include <benchmark/benchmark.h>

#include <string>
#include <utility>
#include <vector>

#include "core/timing.hpp"

namespace memwall {

// What one iteration of a benchmark did.
struct Work {
  double bytes = 0;     // bytes as STREAM (BabelStream, OSU, fio) count them -> GBps
  double hw_bytes = 0;  // with the lines plain stores read first -> hw_GBps
  double flops = 0;     // 2 per FMA, 2*M*N*K per GEMM (int8: operations) -> GFLOPps
  double accesses = 0;  // dependent accesses, or messages -> latency_ns per access
  // latency_ns is the time of one access divided by this: 2 for one way of a round trip.
  double latency_divisor = 1;
  // Any other rate counter of the schema (a family's own, IOPS): its amount per iteration;
  // the counter is amount / second / its scale.
  std::vector<std::pair<std::string, double>> rates;
};

// Sets GBps, hw_GBps, GFLOPps and latency_ns for the work it has (a zero field sets nothing),
// `bytes` and `flops` per iteration, and each of `rates`; std::invalid_argument for a rate
// counter the schema does not declare.
void report_work(benchmark::State& state, const Work& per_iteration, double seconds);

// What one traffic generator beside a measured access (a loaded chase) moved, in its own time:
// bytes as STREAM counts them, and with the lines plain stores read first.
struct Generated {
  double bytes = 0, hw_bytes = 0, seconds = 0;
};
// load_GBps and load_hw_GBps: the sum of each generator's own rate (generators start and stop
// a little apart, so no one window holds them all); load_threads: how many there were.
void report_load(benchmark::State& state, const std::vector<Generated>& generators);

// A collective of `bytes` per call: nccl-tests' algbw = bytes / time and busbw = algbw x
// `bus_factor` (2(n-1)/n for all-reduce, ...), the time per call as latency_ns.
// The completion latencies of every I/O of the run: latency_ns (their mean) and
// latency_p50_ns, latency_p99_ns, latency_p999_ns (nearest rank over every completion).
void report_completions(benchmark::State& state, const CompletionTimes& times);

void report_collective(benchmark::State& state, double bytes, double bus_factor, int ranks,
                       double calls_per_iteration, double seconds);

// A region a device times with its own cycle counter (a GPU's clock64): the cycles and the
// clock they tick at (rated, or measured beside them).
struct CycleRegion {
  double cycles = 0;
  double clock_mhz = 0;
  double seconds() const;  // 0 where the clock is unknown
};
// The clock a cycle counter ran at: its cycles over the nanoseconds a timer read beside it
// (MHz; 0 where no time passed).
double clock_mhz(double cycles, double nanoseconds);
// latency_cycles: the counter's cycles per dependent access, beside latency_ns.
void report_cycles(benchmark::State& state, double cycles, double accesses);
// Energy over a metered window: energy_pJ_per_byte and energy_pJ_per_flop for the bytes and
// FLOPs done in it (a zero amount sets nothing), power_W over the window; nothing where the
// meter read no energy.
void report_energy(benchmark::State& state, double joules, double window_seconds, double bytes,
                   double flops);

}  // namespace memwall
