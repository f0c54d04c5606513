// Hardware counters through PAPI, when it was found at build time and the kernel lets us
// read them. Absent or refused, every call is a no-op and status() says why, once.
#pragma once
#include <string>
#include <utility>
#include <vector>

namespace memwall {

class HwCounters {
 public:
  // events: comma-separated PAPI names; empty means PAPI_TOT_CYC,PAPI_TOT_INS.
  explicit HwCounters(const std::string& events = "");
  ~HwCounters();
  HwCounters(const HwCounters&) = delete;
  HwCounters& operator=(const HwCounters&) = delete;

  bool available() const { return available_; }
  const std::string& status() const { return status_; }
  // Counts on the calling thread between start() and stop().
  void start();
  std::vector<std::pair<std::string, double>> stop();

 private:
  bool available_ = false;
  std::string status_;
  std::vector<std::string> names_;
  int event_set_ = -1;
};

}  // namespace memwall
