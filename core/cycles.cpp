#include "core/cycles.hpp"

#include <linux/perf_event.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace memwall {

namespace {
int open_cycles(int& error) {
  perf_event_attr attr{};
  attr.size = sizeof attr;
  attr.type = PERF_TYPE_HARDWARE;
  attr.config = PERF_COUNT_HW_CPU_CYCLES;
  attr.exclude_kernel = 1;  // allowed at perf_event_paranoid 2, and kernels run in user space
  attr.exclude_hv = 1;
  const long fd = syscall(SYS_perf_event_open, &attr, 0, -1, -1, 0);
  error = fd < 0 ? errno : 0;
  return static_cast<int>(fd);
}
}  // namespace

ThreadCycles::ThreadCycles() {
  int error = 0;
  fd_ = open_cycles(error);
}

ThreadCycles::~ThreadCycles() {
  if (fd_ >= 0) close(fd_);
}

uint64_t ThreadCycles::read() const {
  uint64_t value = 0;
  if (fd_ < 0 || ::read(fd_, &value, sizeof value) != sizeof value) return 0;
  return value;
}

std::string cycle_counter_status() {
  static const std::string status = [] {
    int error = 0;
    const int fd = open_cycles(error);
    if (fd < 0)
      return std::string("perf_event_open(cycles): ") + std::strerror(error) +
             (error == ENOENT || error == EOPNOTSUPP ? " (no PMU: a VM without one?)" : "");
    uint64_t v = 0;
    const bool ok = ::read(fd, &v, sizeof v) == sizeof v;
    close(fd);
    return std::string(ok ? "ok" : "perf_event_open(cycles): counter unreadable");
  }();
  return status;
}

bool cycle_counter_available() {
  return cycle_counter_status() == "ok";
}

}  // namespace memwall
