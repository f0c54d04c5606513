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

// A collective of `bytes` per call: nccl-tests' algbw = bytes / time and busbw = algbw x
// `bus_factor` (2(n-1)/n for all-reduce, ...), the time per call as latency_ns.
// The completion latencies of every I/O of the run: latency_ns (their mean) and
// latency_p50_ns, latency_p99_ns, latency_p999_ns (nearest rank over every completion).
void report_completions(benchmark::State& state, const CompletionTimes& times);

void report_collective(benchmark::State& state, double bytes, double bus_factor, int ranks,
                       double calls_per_iteration, double seconds);

}  // namespace memwall
