#include "core/timing.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <string>
#include <thread>

#if defined(__x86_64__)
#include <x86intrin.h>
#endif

namespace memwall {

int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

bool tsc_usable() {
#if defined(__x86_64__)
  static const bool usable = [] {
    std::ifstream in("/proc/cpuinfo");
    std::string line;
    while (std::getline(in, line)) {
      if (line.rfind("flags", 0) == 0)
        return line.find(" constant_tsc") != std::string::npos &&
               line.find(" nonstop_tsc") != std::string::npos;
    }
    return false;
  }();
  return usable;
#else
  return false;
#endif
}

uint64_t read_tsc() {
#if defined(__x86_64__)
  return tsc_usable() ? __rdtsc() : 0;
#else
  return 0;
#endif
}

double tsc_hz() {
  static const double hz = [] {
    if (!tsc_usable()) return 0.0;
    const int64_t t0 = now_ns();
    const uint64_t c0 = read_tsc();
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    const int64_t t1 = now_ns();
    const uint64_t c1 = read_tsc();
    return static_cast<double>(c1 - c0) / (static_cast<double>(t1 - t0) * 1e-9);
  }();
  return hz;
}

double measure_core_mhz(int ms) {
#if defined(__x86_64__) || defined(__aarch64__)
  // 16 dependent adds per iteration; the loop counter runs in parallel on another port.
  auto run = [](uint64_t iterations) {
    uint64_t x = 0;
    const int64_t t0 = now_ns();
    for (uint64_t i = 0; i < iterations; ++i) {
#if defined(__x86_64__)
      asm volatile(
          "add $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\t"
          "add $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\t"
          "add $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\t"
          "add $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\t"
          : "+r"(x));
#else
      asm volatile(
          "add %0, %0, #1\n\tadd %0, %0, #1\n\tadd %0, %0, #1\n\tadd %0, %0, #1\n\t"
          "add %0, %0, #1\n\tadd %0, %0, #1\n\tadd %0, %0, #1\n\tadd %0, %0, #1\n\t"
          "add %0, %0, #1\n\tadd %0, %0, #1\n\tadd %0, %0, #1\n\tadd %0, %0, #1\n\t"
          "add %0, %0, #1\n\tadd %0, %0, #1\n\tadd %0, %0, #1\n\tadd %0, %0, #1\n\t"
          : "+r"(x));
#endif
    }
    return static_cast<double>(now_ns() - t0) * 1e-9;
  };
  uint64_t iterations = 1 << 16;
  while (run(iterations) < 1e-3) iterations *= 2;
  const uint64_t target = static_cast<uint64_t>(iterations * (ms / 1.0));
  double best = 0;
  for (int rep = 0; rep < 3; ++rep) {  // best of 3: another process may take the core
    const double seconds = run(target);
    best = std::max(best, 16.0 * static_cast<double>(target) / seconds / 1e6);
  }
  return best;
#else
  (void)ms;
  return 0.0;
#endif
}

double time_region(const std::function<void()>& work) {
  const int64_t t0 = now_ns();
  work();
  return static_cast<double>(now_ns() - t0) * 1e-9;
}

double time_after(const std::function<void()>& ready, const std::function<void()>& work) {
  ready();
  return time_region(work);
}

void CompletionTimes::merge(const CompletionTimes& other) {
  ns_.insert(ns_.end(), other.ns_.begin(), other.ns_.end());
}

double CompletionTimes::mean_ns() const {
  if (ns_.empty()) return 0;
  double sum = 0;
  for (int64_t v : ns_) sum += static_cast<double>(v);
  return sum / static_cast<double>(ns_.size());
}

double CompletionTimes::percentile_ns(double p) const {
  if (ns_.empty()) return 0;
  if (sorted_.size() != ns_.size()) {
    sorted_ = ns_;
    std::sort(sorted_.begin(), sorted_.end());
  }
  const double rank = std::ceil(p / 100.0 * static_cast<double>(sorted_.size()));
  const size_t i =
      std::clamp<size_t>(static_cast<size_t>(std::max(rank, 1.0)) - 1, 0, sorted_.size() - 1);
  return static_cast<double>(sorted_[i]);
}

}  // namespace memwall
