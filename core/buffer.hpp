// Memory for kernels: page-aligned anonymous mappings with the page size asked for.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

namespace memwall {

enum class Pages { small4k, huge };
const char* to_string(Pages pages);
Pages parse_pages(const std::string& text);  // "4k" or "huge"; UsageError otherwise

// Owns `bytes` of memory aligned to 2 MiB (so huge pages can back it), not yet touched: the
// thread that uses a part should write it first so the kernel places it on its NUMA node.
// With Pages::huge it asks for transparent huge pages (madvise); with Pages::small4k it
// forbids them, so 4 KiB results are not silently promoted.
class Buffer {
 public:
  Buffer() = default;
  Buffer(size_t bytes, Pages pages);
  ~Buffer();
  Buffer(Buffer&& other) noexcept;
  Buffer& operator=(Buffer&& other) noexcept;
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;

  void* data() const { return data_; }
  template <typename T>
  T* as() const {
    return static_cast<T*>(data_);
  }
  size_t bytes() const { return bytes_; }
  Pages pages() const { return pages_; }
  // Fraction of the buffer backed by huge pages now (from /proc/self/smaps); -1 if unknown.
  double huge_fraction() const;

 private:
  void release();
  void* map_ = nullptr;
  size_t map_bytes_ = 0;
  void* data_ = nullptr;
  size_t bytes_ = 0;
  Pages pages_ = Pages::small4k;
};

}  // namespace memwall
