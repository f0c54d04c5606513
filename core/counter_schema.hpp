// What every counter a benchmark writes means, declared once: its unit, which way is better
// (and so whether a run's best is its max or its min), whether it is a benchmark's main
// counter, and whether the gate watches it on every benchmark that has it. The profile,
// compare, history, gate and fleet all read this table; a counter it lacks is not a metric.
#pragma once
#include <string>
#include <vector>

namespace memwall {

struct CounterInfo {
  std::string name;  // as the benchmarks write it: GBps, latency_ns
  std::string unit;  // GB/s (1e9 bytes/s), ns, GFLOP/s (1e9 FLOP/s), 1/s
  bool higher_is_better = true;
  // A benchmark's main counter is the first of these (in table order) that it has.
  bool main = false;
  // Every benchmark with this counter is a headline metric of the gate and the fleet view
  // (the levels, peaks and links are headline metrics through the profile already).
  bool headline = false;
  std::string meaning;
  // A rate counter's amount per second is divided by this: 1e9 for GB/s and GFLOP/s, 1 for
  // IOPS (core/rate.hpp's report_work).
  double scale = 1e9;
};

// core's counters, then those this binary's families declared (declare_counter).
const std::vector<CounterInfo>& counter_schema();
// nullptr for a counter the schema does not declare.
const CounterInfo* counter_info(const std::string& name);
// A family's own counter, declared once in the family's file (a static, as families register):
// bench_main records it in the result file, so the harness knows it too. Redeclaring a name
// keeps the first.
bool declare_counter(const CounterInfo& counter);
// One of core's own counters (not one a family declared).
bool core_counter(const std::string& name);
// The counters declared beyond core's, as JSON text (for a result file's context), and back:
// read without declaring them in this process, so each result file and each profile is judged
// by its own declarations (a damaged entry is left out).
std::string declared_counters_json();
std::vector<CounterInfo> counters_from_json(const std::string& text);
// `name` as core declares it, else as `declared` (a file's or a profile's own); nullptr for
// neither.
const CounterInfo* find_counter(const std::vector<CounterInfo>& declared, const std::string& name);
// Best of a run's repetitions: the max of a rate, the min of a latency.
bool higher_is_better(const std::string& counter);

}  // namespace memwall
