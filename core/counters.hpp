// Hardware counters through PAPI, when it was found at build time and the kernel lets us
// read them. Absent or refused, every call is a no-op and status() says why, once. The counts
// are summed over the calling thread and the other threads named (a benchmark's workers, by
// their kernel thread ids), each counted by an event set attached to it; a thread PAPI cannot
// attach to is left out, and status() says so.
#pragma once
#include <string>
#include <utility>
#include <vector>

#include "core/traffic_events.hpp"

namespace memwall {

class HwCounters {
 public:
  // events: comma-separated PAPI names; empty means PAPI_TOT_CYC,PAPI_TOT_INS. traffic: the
  // memory-read event groups to try after them, best first; the first the PMU takes is counted
  // too, and none is no error.
  explicit HwCounters(const std::string& events = "", const std::vector<int>& other_threads = {},
                      const std::vector<TrafficEvents>& traffic = {});
  ~HwCounters();
  HwCounters(const HwCounters&) = delete;
  HwCounters& operator=(const HwCounters&) = delete;

  bool available() const { return available_; }
  const std::string& status() const { return status_; }
  int threads_counted() const { return static_cast<int>(event_sets_.size()); }
  // The memory-read events being counted (empty events: none), and why none where so.
  const TrafficEvents& traffic() const { return traffic_; }
  // Bytes read from memory in a stop()'s counts: the traffic events' sum times their line.
  double traffic_bytes(const std::vector<std::pair<std::string, double>>& counts) const;
  // Counts between start() and stop(), summed over the threads counted.
  void start();
  std::vector<std::pair<std::string, double>> stop();

 private:
  bool available_ = false;
  std::string status_;
  std::vector<std::string> names_;
  std::vector<int> event_sets_;
  TrafficEvents traffic_;
};

}  // namespace memwall
