// Core clock cycles of the calling thread as the PMU counts them (perf_event_open), so the
// clock a kernel ran at is measured while it runs, down-clocking included. Where the kernel or
// a virtual machine gives no PMU, available() is false and status() says why.
#pragma once
#include <cstdint>
#include <string>

namespace memwall {

class ThreadCycles {
 public:
  ThreadCycles();  // counts the calling thread from now on
  ~ThreadCycles();
  ThreadCycles(const ThreadCycles&) = delete;
  ThreadCycles& operator=(const ThreadCycles&) = delete;

  bool available() const { return fd_ >= 0; }
  uint64_t read() const;  // cycles so far; 0 when not available

 private:
  int fd_ = -1;
};

// Whether a cycle counter opens on this machine, and if not why ("perf_event_open: ...").
bool cycle_counter_available();
std::string cycle_counter_status();

}  // namespace memwall
