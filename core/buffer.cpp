#include "core/buffer.hpp"

#include <sys/mman.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <new>
#include <sstream>

#include "core/units.hpp"

namespace memwall {

namespace {
constexpr size_t kHugeBytes = 2u << 20;
}

const char* to_string(Pages pages) {
  return pages == Pages::huge ? "huge" : "4k";
}

Pages parse_pages(const std::string& text) {
  if (text == "4k" || text == "4K") return Pages::small4k;
  if (text == "huge") return Pages::huge;
  throw UsageError("bad page size '" + text + "': expected 4k or huge");
}

Buffer::Buffer(size_t bytes, Pages pages) : bytes_(bytes), pages_(pages) {
  if (bytes == 0) throw std::invalid_argument("Buffer: zero bytes");
  map_bytes_ = (bytes + kHugeBytes - 1) / kHugeBytes * kHugeBytes + kHugeBytes;
  map_ = mmap(nullptr, map_bytes_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (map_ == MAP_FAILED) {
    map_ = nullptr;
    throw std::bad_alloc();
  }
  const uintptr_t base = reinterpret_cast<uintptr_t>(map_);
  data_ = reinterpret_cast<void*>((base + kHugeBytes - 1) / kHugeBytes * kHugeBytes);
  madvise(data_, map_bytes_ - kHugeBytes, pages == Pages::huge ? MADV_HUGEPAGE : MADV_NOHUGEPAGE);
}

Buffer::~Buffer() {
  release();
}

void Buffer::release() {
  if (map_) munmap(map_, map_bytes_);
  map_ = data_ = nullptr;
  map_bytes_ = bytes_ = 0;
}

Buffer::Buffer(Buffer&& other) noexcept {
  *this = std::move(other);
}

Buffer& Buffer::operator=(Buffer&& other) noexcept {
  if (this != &other) {
    release();
    std::swap(map_, other.map_);
    std::swap(map_bytes_, other.map_bytes_);
    std::swap(data_, other.data_);
    std::swap(bytes_, other.bytes_);
    pages_ = other.pages_;
  }
  return *this;
}

double Buffer::huge_fraction() const {
  if (!data_) return -1;
  std::ifstream in("/proc/self/smaps");
  if (!in) return -1;
  const uintptr_t lo = reinterpret_cast<uintptr_t>(data_);
  const uintptr_t hi = lo + bytes_;
  std::string line;
  bool inside = false;
  double huge_kb = 0;
  bool seen = false;
  while (std::getline(in, line)) {
    unsigned long start = 0, end = 0;
    if (std::sscanf(line.c_str(), "%lx-%lx ", &start, &end) == 2 && line.find(':') > 8) {
      inside = start < hi && end > lo;  // a mapping may have been split by madvise
      continue;
    }
    if (inside && line.rfind("AnonHugePages:", 0) == 0) {
      huge_kb += std::stod(line.substr(14));
      seen = true;
    }
  }
  if (!seen) return -1;
  // The mapping is larger than the buffer (alignment slack), so a small buffer inside one huge
  // page would read above 1: it is then wholly backed.
  return std::min(1.0, huge_kb * 1024.0 / static_cast<double>(bytes_));
}

}  // namespace memwall
