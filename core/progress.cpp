#include "core/progress.hpp"

#include <algorithm>
#include <cstdio>

#include "core/timing.hpp"

namespace memwall {

bool ProgressReporter::ReportContext(const Context& context) {
  start_ns_ = now_ns();
  std::fprintf(stderr, "%d CPUs, %.0f MHz; %zu caches reported\n", context.cpu_info.num_cpus,
               context.cpu_info.cycles_per_second / 1e6, context.cpu_info.caches.size());
  return true;
}

std::string ProgressReporter::position(double elapsed) const {
  char buf[64];
  if (total_ > 0) {
    const double left = elapsed / count_ * std::max(0, total_ - count_);
    std::snprintf(buf, sizeof buf, "%4d/%d %5.0fs ~%.0fs left", count_, total_, elapsed, left);
  } else {
    std::snprintf(buf, sizeof buf, "%4d %5.0fs", count_, elapsed);
  }
  return buf;
}

void ProgressReporter::ReportRuns(const std::vector<Run>& runs) {
  if (runs.empty()) return;
  ++count_;
  const double elapsed = static_cast<double>(now_ns() - start_ns_) * 1e-9;
  const std::string at = position(elapsed);
  std::string name = runs.front().run_name.str();
  for (const char* suffix : {"/min_time:", "/manual_time"})
    name = name.substr(0, name.find(suffix));
  for (const Run& run : runs) {
    if (run.error_occurred && run.error_message == "interrupted") {
      if (!told_interrupted_)
        std::fprintf(stderr, "[%s] interrupted: skipping the rest\n", at.c_str());
      told_interrupted_ = true;
      return;
    }
    if (run.error_occurred) {
      const bool skipped = run.error_message.rfind("skipped", 0) == 0;
      std::fprintf(stderr, "[%s] %s %s%s\n", at.c_str(), name.c_str(),
                   skipped ? "" : "FAILED: ", run.error_message.c_str());
      return;
    }
  }
  ++measured_;
  const char* counter = nullptr;
  for (const char* c : {"GFLOPps", "busGBps", "GBps", "latency_ns"})
    if (runs.front().counters.count(c)) {
      counter = c;
      break;
    }
  if (!counter) {
    std::fprintf(stderr, "[%s] %s\n", at.c_str(), name.c_str());
    return;
  }
  // With one repetition Google Benchmark computes no aggregates, and there is no spread.
  auto aggregate = [&](const char* which, const char* c) -> const double* {
    for (const Run& run : runs)
      if (run.aggregate_name == which && run.counters.count(c)) return &run.counters.at(c).value;
    return nullptr;
  };
  const double* median = aggregate("median", counter);
  const bool lower_is_better = std::string(counter) == "latency_ns";
  const double* best = aggregate(lower_is_better ? "min" : "max", counter);
  const double* cv = aggregate("cv", counter);
  const double single = runs.front().counters.at(counter).value;
  char spread[32] = "cv -  (1 rep)";
  if (cv) std::snprintf(spread, sizeof spread, "cv %5.1f%%", 100 * *cv);
  std::string also;  // a product's bandwidth beside its FLOP rate
  if (std::string(counter) == "GFLOPps" && runs.front().counters.count("GBps")) {
    const double* gb = aggregate("max", "GBps");
    char buf[48];
    std::snprintf(buf, sizeof buf, "  (GBps best %.1f)",
                  gb ? *gb : runs.front().counters.at("GBps").value);
    also = buf;
  }
  std::fprintf(stderr, "[%s] %-58s %s median %9.3f best %9.3f %s%s\n", at.c_str(), name.c_str(),
               counter, median ? *median : single, best ? *best : single, spread, also.c_str());
}

}  // namespace memwall
