// The one place that reads clocks. A benchmark body times its work through a region of this
// file (host code), ThreadPool::run_timed (a pinned pool, released together, the slowest
// counted) or core/gpu_timing.hpp (device events), and reports rates through core/rate.hpp;
// it never reads a clock itself.
#pragma once
#include <cstdint>
#include <functional>
#include <vector>

namespace memwall {

// Monotonic wall clock in nanoseconds (std::chrono::steady_clock); for core's own use.
int64_t now_ns();

// Time-stamp counter ticks where it runs at a constant rate (x86 with constant_tsc and
// nonstop_tsc); 0 when it is not usable. tsc_hz() gives its rate, calibrated once.
bool tsc_usable();
uint64_t read_tsc();
double tsc_hz();

// Core clock measured with a chain of dependent integer adds (one per cycle on every x86 core
// since the P6 and every Arm core), over about `ms` milliseconds on the calling thread. 0 on
// other architectures.
double measure_core_mhz(int ms = 20);

// The timed region of host code: the seconds `work` takes on this thread.
double time_region(const std::function<void()>& work);
// `ready` first, untimed (a barrier: MPI's, or every GPU stream drained), then `work` timed.
// Under MPI, measure() keeps the slowest rank's seconds (BenchProgram::agree_seconds).
double time_after(const std::function<void()>& ready, const std::function<void()>& work);

// The latency of every operation of a stream of asynchronous ones (storage I/Os): a stamp
// when one is submitted, its completion recorded against that stamp, so percentiles come from
// every completion (as fio's), never from a mean. One per thread; merge() joins them.
class CompletionTimes {
 public:
  using Stamp = int64_t;
  Stamp submitted() const { return now_ns(); }
  void completed(Stamp since) { ns_.push_back(now_ns() - since); }
  void merge(const CompletionTimes& other);
  size_t count() const { return ns_.size(); }
  double mean_ns() const;
  // The nearest-rank percentile (p in [0, 100]) of every completion; 0 when there is none.
  double percentile_ns(double p) const;

 private:
  std::vector<int64_t> ns_;
  mutable std::vector<int64_t> sorted_;
};

}  // namespace memwall
