// One line per finished benchmark on stderr: how far the run is and the median, best and
// spread of its main counter, so a long run shows progress without pages of tables.
#pragma once
#include <benchmark/benchmark.h>

#include <cstdint>
#include <string>
#include <vector>

namespace memwall {

class ProgressReporter : public benchmark::BenchmarkReporter {
 public:
  bool ReportContext(const Context& context) override;
  void ReportRuns(const std::vector<Run>& runs) override;
  void set_total(int total) { total_ = total; }
  int measured() const { return measured_; }

 private:
  std::string position(double elapsed) const;  // "12/404 15s ~2m left"
  int total_ = 0;
  int count_ = 0;
  int measured_ = 0;
  bool told_interrupted_ = false;
  int64_t start_ns_ = 0;
};

}  // namespace memwall
