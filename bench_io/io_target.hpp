// Where the storage benchmarks read and write: a file of memwall's own in a folder the user
// gives, or a block device, read only. The file has no name while it exists (O_TMPFILE, or
// unlinked the moment it is made), so it is gone on every exit: Ctrl-C, a crash, SIGKILL.
#pragma once
#include <cstdint>
#include <string>

namespace memwall::io {

struct IoOptions {
  std::string dir;              // --io-dir: default, the result file's folder, else the working one
  std::string device;           // --io-device: a block device, read only
  std::string size;             // --io-size: default by mode, within a quarter of the free space
  std::string engine = "auto";  // auto, io_uring, psync
};
IoOptions& io_options();

// Checks the options against the file system before anything is written: the folder exists
// and is writable and is not a device, the size fits the free space, the device can be read.
// UsageError with one line otherwise. Sets what target() opens later.
void check_target(uint64_t default_bytes);

// Every 4 KiB sector of the file holds its own offset in a header and a fixed random payload
// (as fio's verify header does), so any block read back can be checked where it came from.
constexpr uint64_t kSector = 4096;

class IoTarget {
 public:
  // Opened, and for a file written and synced, on first use.
  static IoTarget& get();
  IoTarget(const IoTarget&) = delete;
  IoTarget& operator=(const IoTarget&) = delete;
  ~IoTarget();

  int fd() const { return fd_; }
  uint64_t bytes() const { return bytes_; }
  bool is_device() const { return device_; }
  // O_DIRECT on or off for the next I/Os; false (and why_no_direct()) where it is refused.
  bool set_direct(bool on);
  bool direct_works() const { return direct_ok_; }
  const std::string& why_no_direct() const { return no_direct_why_; }

  // Writes the pattern of [offset, offset + len) into buf; checks buf against it. A device's
  // content is not memwall's: it is never verified, only read in full.
  void fill(void* buf, uint64_t offset, uint64_t len) const;
  bool verify(const void* buf, uint64_t offset, uint64_t len) const;
  // Drops the page cache of the range (POSIX_FADV_DONTNEED, as fio's invalidate=1).
  void drop_cache(uint64_t offset, uint64_t len) const;

 private:
  IoTarget();
  void create_file();
  int fd_ = -1;
  uint64_t bytes_ = 0;
  bool device_ = false, direct_ok_ = false;
  std::string no_direct_why_;
};

// What the context records about the target without opening it: the folder or device, its
// file system, the block device under it and its model, and how the file is made.
void add_target_context();
// The planned size of the target, bytes.
uint64_t planned_bytes();
bool target_is_device();
// Whether O_DIRECT works where the file will be (a probe file, removed at once); the reason
// where it does not.
bool probe_direct(std::string& why_not);

}  // namespace memwall::io
