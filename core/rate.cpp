#include "core/rate.hpp"

#include <stdexcept>

#include "core/counter_schema.hpp"

namespace memwall {

void report_work(benchmark::State& state, const Work& w, double seconds) {
  const double iterations = static_cast<double>(state.iterations());
  if (seconds <= 0 || iterations <= 0) return;
  if (w.bytes > 0) {
    state.counters["GBps"] = w.bytes * iterations / seconds / 1e9;
    state.counters["bytes"] = w.bytes;
  }
  if (w.hw_bytes > 0) state.counters["hw_GBps"] = w.hw_bytes * iterations / seconds / 1e9;
  if (w.flops > 0) {
    state.counters["GFLOPps"] = w.flops * iterations / seconds / 1e9;
    state.counters["flops"] = w.flops;
  }
  if (w.accesses > 0)
    state.counters["latency_ns"] = seconds / (iterations * w.accesses) / w.latency_divisor * 1e9;
  for (const auto& [name, amount] : w.rates) {
    const CounterInfo* c = counter_info(name);
    if (!c) throw std::invalid_argument("rate counter '" + name + "' is not in the schema");
    state.counters[name] = amount * iterations / seconds / c->scale;
  }
}

void report_load(benchmark::State& state, const std::vector<Generated>& generators) {
  double bytes_per_s = 0, hw_bytes_per_s = 0;
  for (const Generated& g : generators) {
    if (g.seconds <= 0) continue;
    bytes_per_s += g.bytes / g.seconds;
    hw_bytes_per_s += g.hw_bytes / g.seconds;
  }
  state.counters["load_GBps"] = bytes_per_s / 1e9;
  if (hw_bytes_per_s > 0) state.counters["load_hw_GBps"] = hw_bytes_per_s / 1e9;
  state.counters["load_threads"] = static_cast<double>(generators.size());
}

double CycleRegion::seconds() const {
  return clock_mhz > 0 ? cycles / (clock_mhz * 1e6) : 0;
}

double clock_mhz(double cycles, double nanoseconds) {
  return nanoseconds > 0 ? cycles / nanoseconds * 1e3 : 0;
}

void report_cycles(benchmark::State& state, double cycles, double accesses) {
  if (accesses > 0) state.counters["latency_cycles"] = cycles / accesses;
}

void report_energy(benchmark::State& state, double joules, double window_seconds, double bytes,
                   double flops) {
  if (joules <= 0) return;
  if (bytes > 0) state.counters["energy_pJ_per_byte"] = joules * 1e12 / bytes;
  if (flops > 0) state.counters["energy_pJ_per_flop"] = joules * 1e12 / flops;
  if (window_seconds > 0) state.counters["power_W"] = joules / window_seconds;
}

void report_completions(benchmark::State& state, const CompletionTimes& times) {
  if (times.count() == 0) return;
  state.counters["latency_ns"] = times.mean_ns();
  state.counters["latency_p50_ns"] = times.percentile_ns(50);
  state.counters["latency_p99_ns"] = times.percentile_ns(99);
  state.counters["latency_p999_ns"] = times.percentile_ns(99.9);
  state.counters["completions"] = static_cast<double>(times.count());
}

void report_collective(benchmark::State& state, double bytes, double bus_factor, int ranks,
                       double calls_per_iteration, double seconds) {
  const double calls = static_cast<double>(state.iterations()) * calls_per_iteration;
  if (seconds <= 0 || calls <= 0) return;
  const double per_call = seconds / calls;
  const double algbw = bytes / per_call / 1e9;
  state.counters["latency_ns"] = per_call * 1e9;
  state.counters["algGBps"] = algbw;
  state.counters["busGBps"] = algbw * bus_factor;
  state.counters["bytes"] = bytes;
  state.counters["ranks"] = ranks;
}

}  // namespace memwall
