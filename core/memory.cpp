#include "core/memory.hpp"

#include <algorithm>
#include <fstream>
#include <string>

namespace memwall {

namespace {
uint64_t read_number(const char* path) {
  std::ifstream in(path);
  std::string text;
  if (!(in >> text) || text == "max") return 0;
  try {
    return std::stoull(text);
  } catch (const std::exception&) {
    return 0;
  }
}
}  // namespace

uint64_t memory_available_bytes() {
  uint64_t available = 0;
  std::ifstream in("/proc/meminfo");
  std::string key;
  uint64_t kib = 0;
  std::string unit;
  while (in >> key >> kib) {
    std::getline(in, unit);
    if (key == "MemAvailable:") {
      available = kib * 1024;
      break;
    }
  }
  const uint64_t limit = read_number("/sys/fs/cgroup/memory.max");
  const uint64_t used = read_number("/sys/fs/cgroup/memory.current");
  if (limit > 0) {
    const uint64_t left = limit > used ? limit - used : 0;
    available = available ? std::min(available, left) : left;
  }
  return available;
}

}  // namespace memwall
