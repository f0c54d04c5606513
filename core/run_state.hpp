// The run's state where it moves a number: what else the machine did while a benchmark ran
// (other processes' CPU time, the hypervisor's steal time, from /proc/stat) and the settings
// that change a figure (frequency governor and boost, huge pages, NUMA balancing, SMT). A
// benchmark measured under load is marked in its result file (state_loaded), so its verdict
// says so and gate and fleet do not read it as the hardware's regression.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace memwall {

// Clock ticks (USER_HZ) of every CPU together, from /proc/stat's "cpu" line, and this process's
// own (its threads and the children it waited for, from /proc/self/stat).
struct CpuTicks {
  uint64_t total = 0, busy = 0, steal = 0, own = 0;
  double wall_s = 0;  // CLOCK_MONOTONIC when sampled
};
CpuTicks sample_cpu_ticks();
// The "cpu" line of /proc/stat's text and fields 14-17 of /proc/self/stat's; false if either
// is not that format.
bool parse_cpu_ticks(const std::string& proc_stat, const std::string& self_stat, CpuTicks& out);

struct LoadState {
  double other_cpus_busy = 0;  // CPUs other processes kept busy, on average over the window
  double steal_percent = 0;    // of the CPUs' time, taken by the hypervisor for other guests
  bool loaded = false;         // above the thresholds below
  std::string why;             // what made it loaded, in words
};
// Thresholds: half a CPU of other work competes with a benchmark on any machine (its threads
// or its memory bandwidth); 5% steal is what a guest's own figures move by.
constexpr double kLoadedOtherCpus = 0.5, kLoadedStealPercent = 5;
// Windows shorter than this have too few ticks (100 a second a CPU) to say anything.
constexpr double kStateWindowSeconds = 0.25;
// `siblings`: processes of this run that share the machine (MPI ranks on this host but this
// one), each of which keeps up to one CPU busy and is no other process's load.
LoadState load_between(const CpuTicks& from, const CpuTicks& to, int siblings = 0);

// Per benchmark: a window from its first call to the end of each call, reported (the state_*
// counters) once it counts; a benchmark shorter than kStateWindowSeconds is given the state of
// the last kStateWindowSeconds up to its end (the benchmarks just before it), so every benchmark
// has one. Google Benchmark's calls that only size the iterations count in it too.
class StateWindow {
 public:
  void begin(const std::string& benchmark);
  // The window's state when one can be said, else false.
  bool end(LoadState& state);
  void set_siblings(int n) { siblings_ = n; }

 private:
  std::string benchmark_;
  CpuTicks start_;
  std::vector<CpuTicks> recent_;  // samples of the last few seconds, oldest first
  int siblings_ = 0;
};
StateWindow& state_window();

// The machine's settings that move a figure, as context items (key, value).
std::vector<std::pair<std::string, std::string>> machine_state();

}  // namespace memwall
