// The one place that reads clocks. Benchmark bodies call these and nothing else.
#pragma once
#include <cstdint>

namespace memwall {

// Monotonic wall clock in nanoseconds (std::chrono::steady_clock).
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

// Measures the wall time of a region: start() ... seconds().
class Stopwatch {
 public:
  void start() { t0_ = now_ns(); }
  double seconds() const { return static_cast<double>(now_ns() - t0_) * 1e-9; }

 private:
  int64_t t0_ = 0;
};

}  // namespace memwall
