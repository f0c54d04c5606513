#include "bench_io/io_target.hpp"

#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <vector>

#include "core/bench_main.hpp"
#include "core/buffer.hpp"
#include "core/context.hpp"
#include "core/flags.hpp"
#include "core/units.hpp"

namespace memwall::io {

namespace fs = std::filesystem;

namespace {

constexpr uint64_t kMiB = 1 << 20;
constexpr uint64_t kMagic = 0x6d656d77616c6c21ull;  // "memwall!"
constexpr uint64_t kHeader = 16;

struct Resolved {
  std::string dir, device;
  uint64_t bytes = 0;
  bool checked = false;
} g_target;

std::string errno_text(int e) {
  return std::strerror(e);
}

// The payload every sector carries after its header: random, so neither compression nor
// deduplication of equal sectors (the headers differ) shrinks what reaches the disk.
const std::vector<unsigned char>& payload() {
  static const std::vector<unsigned char> bytes = [] {
    std::vector<unsigned char> b(kSector - kHeader);
    uint64_t x = 0x243f6a8885a308d3ull;
    for (unsigned char& c : b) {
      x ^= x << 13, x ^= x >> 7, x ^= x << 17;
      c = static_cast<unsigned char>(x >> 56);
    }
    return b;
  }();
  return bytes;
}

// The mount of a path's device: (file system type, source), from /proc/self/mountinfo.
std::pair<std::string, std::string> mount_of(dev_t dev) {
  std::ifstream in("/proc/self/mountinfo");
  const std::string id = std::to_string(major(dev)) + ":" + std::to_string(minor(dev));
  for (std::string line; std::getline(in, line);) {
    std::istringstream f(line);
    std::string mount_id, parent, majmin;
    f >> mount_id >> parent >> majmin;
    if (majmin != id) continue;
    const size_t dash = line.find(" - ");
    if (dash == std::string::npos) continue;
    std::istringstream rest(line.substr(dash + 3));
    std::string type, source;
    rest >> type >> source;
    return {type, source};
  }
  return {"unknown", ""};
}

std::string read_line(const fs::path& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  while (!line.empty() && (line.back() == ' ' || line.back() == '\n')) line.pop_back();
  return line;
}

// The block device a device number belongs to (the whole disk for a partition), its model
// and whether it spins, from sysfs.
std::string block_device_text(dev_t dev) {
  std::error_code ec;
  fs::path sys = fs::canonical(
      "/sys/dev/block/" + std::to_string(major(dev)) + ":" + std::to_string(minor(dev)), ec);
  if (ec) return "";
  if (fs::exists(sys / "partition")) sys = sys.parent_path();
  std::string text = sys.filename().string();
  std::string model = read_line(sys / "device" / "model");
  if (model.empty() && fs::exists(sys / "device" / "vendor"))
    model = "vendor " + read_line(sys / "device" / "vendor");
  if (!model.empty()) text += " (" + model + ")";
  const std::string rotational = read_line(sys / "queue" / "rotational");
  if (rotational == "1") text += ", rotational";
  if (rotational == "0") text += ", non-rotational";
  const std::string scheduler = read_line(sys / "queue" / "scheduler");
  if (!scheduler.empty()) text += ", scheduler " + scheduler;
  return text;
}

std::string target_folder() {
  const IoOptions& o = io_options();
  if (!o.dir.empty()) return o.dir;
  const fs::path out(result_path());
  return out.has_parent_path() ? out.parent_path().string() : std::string(".");
}

}  // namespace

IoOptions& io_options() {
  static IoOptions o;
  return o;
}

void check_target(uint64_t default_bytes) {
  const IoOptions& o = io_options();
  if (o.engine != "auto" && o.engine != "io_uring" && o.engine != "psync")
    throw UsageError("--io-engine must be auto, io_uring or psync (not '" + o.engine + "')");
  const uint64_t asked = o.size.empty() ? 0 : parse_bytes(o.size) / kMiB * kMiB;
  if (!o.size.empty() && asked < 16 * kMiB)
    throw UsageError("--io-size " + o.size + " is below the smallest test file, 16MiB");
  struct stat st {};
  if (!o.device.empty()) {
    if (!o.dir.empty())
      throw UsageError("give --io-dir (a folder, written) or --io-device (read only), not both");
    if (stat(o.device.c_str(), &st) != 0)
      throw UsageError("--io-device " + o.device + ": " + errno_text(errno));
    if (!S_ISBLK(st.st_mode))
      throw UsageError("--io-device " + o.device + " is not a block device");
    const int fd = open(o.device.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
      throw UsageError("--io-device " + o.device +
                       ": cannot open it for reading: " + errno_text(errno) +
                       (errno == EACCES ? " (root or the group that owns it may read it)" : ""));
    uint64_t size = 0;
    const int rc = ioctl(fd, BLKGETSIZE64, &size);
    close(fd);
    if (rc != 0 || size < 16 * kMiB)
      throw UsageError("--io-device " + o.device + ": too small or of unknown size to read");
    g_target = {"", o.device, std::min(asked ? asked : default_bytes, size / kMiB * kMiB), true};
    return;
  }
  const std::string dir = target_folder();
  if (stat(dir.c_str(), &st) != 0) throw UsageError("--io-dir " + dir + ": " + errno_text(errno));
  if (S_ISBLK(st.st_mode))
    throw UsageError("--io-dir " + dir +
                     " is a block device: memwall never writes to a device (--io-device " + dir +
                     " reads it)");
  if (!S_ISDIR(st.st_mode)) throw UsageError("--io-dir " + dir + " is not a folder");
  if (access(dir.c_str(), W_OK | X_OK) != 0)
    throw UsageError("--io-dir " + dir + " is not writable: " + errno_text(errno));
  struct statvfs vfs {};
  if (statvfs(dir.c_str(), &vfs) != 0)
    throw UsageError("--io-dir " + dir + ": cannot read its free space: " + errno_text(errno));
  const uint64_t free_bytes = static_cast<uint64_t>(vfs.f_bavail) * vfs.f_frsize;
  const uint64_t total = static_cast<uint64_t>(vfs.f_blocks) * vfs.f_frsize;
  // Never fill a disk: what is left after the test file stays above 5% of it (and 16 MiB).
  const uint64_t keep = std::max<uint64_t>(16 * kMiB, total / 20);
  const uint64_t room = free_bytes > keep ? free_bytes - keep : 0;
  if (asked && asked > room)
    throw UsageError("--io-size " + format_bytes(asked) + " does not fit in " + dir + ": " +
                     format_bytes(free_bytes) + " free, and memwall leaves " + format_bytes(keep) +
                     " of it free");
  const uint64_t bytes = asked ? asked : std::min(default_bytes, room / 4) / kMiB * kMiB;
  if (bytes < 16 * kMiB)
    throw UsageError(dir + " has " + format_bytes(free_bytes) +
                     " free: too little for the storage test file (16MiB beside the " +
                     format_bytes(keep) + " left free)");
  g_target = {dir, "", bytes, true};
}

uint64_t planned_bytes() {
  return g_target.bytes;
}

bool target_is_device() {
  return !g_target.device.empty();
}

bool probe_direct(std::string& why_not) {
  const std::string where = g_target.device.empty() ? g_target.dir : g_target.device;
  int fd = g_target.device.empty() ? open(where.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600)
                                   : open(where.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0 && g_target.device.empty()) {  // no O_TMPFILE here: a named file, unlinked at once
    std::string name = where + "/.memwall-io-probe-XXXXXX";
    fd = mkstemp(name.data());
    if (fd >= 0) unlink(name.c_str());
  }
  if (fd < 0) {
    why_not = "cannot open " + where + ": " + errno_text(errno);
    return false;
  }
  bool ok = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_DIRECT) == 0;
  int e = errno;
  if (ok) {  // some file systems take the flag and refuse the first aligned I/O
    Buffer buf(kSector, Pages::small4k);
    std::memset(buf.data(), 0, kSector);
    const ssize_t n = g_target.device.empty() ? pwrite(fd, buf.data(), kSector, 0)
                                              : pread(fd, buf.data(), kSector, 0);
    ok = n == static_cast<ssize_t>(kSector);
    e = n < 0 ? errno : EIO;
  }
  close(fd);
  if (!ok) {
    struct stat st {};
    stat(where.c_str(), &st);
    why_not = "O_DIRECT refused by the file system (" + mount_of(st.st_dev).first +
              "): " + errno_text(e) + "; buffered I/O only";
  }
  return ok;
}

void add_target_context() {
  struct stat st {};
  const std::string where = g_target.device.empty() ? g_target.dir : g_target.device;
  stat(where.c_str(), &st);
  std::error_code ec;
  const fs::path absolute = fs::absolute(where, ec);
  if (!g_target.device.empty()) {
    add_context("io_target",
                "block device " + where + ", read only: " + block_device_text(st.st_rdev));
    add_context("io_verify",
                "a device's content is not memwall's: every read is checked complete, not "
                "against a pattern");
  } else {
    const auto [type, source] = mount_of(st.st_dev);
    add_context("io_target", "a " + format_bytes(g_target.bytes) + " file in " + absolute.string() +
                                 " (" + type + " on " + source + ")");
    add_context("io_file_system", type);
    add_context("io_block_device", block_device_text(st.st_dev));
    add_context("io_verify",
                "every sector read back is checked: its header holds its offset, its payload a "
                "fixed random pattern (as fio's verify header)");
    add_context("io_file",
                "made with O_TMPFILE (or unlinked at once), fallocated, written and synced "
                "before the first benchmark: it has no name and is freed when bench_io exits");
  }
  add_context("io_file_bytes", std::to_string(g_target.bytes));
}

IoTarget& IoTarget::get() {
  static IoTarget target;
  return target;
}

IoTarget::IoTarget() {
  if (!g_target.checked) throw std::logic_error("check_target() was not called");
  bytes_ = g_target.bytes;
  device_ = !g_target.device.empty();
  if (device_) {
    fd_ = open(g_target.device.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) throw std::runtime_error(g_target.device + ": " + errno_text(errno));
  } else {
    create_file();
  }
  direct_ok_ = probe_direct(no_direct_why_);
}

IoTarget::~IoTarget() {
  if (fd_ >= 0) close(fd_);
}

void IoTarget::create_file() {
  const std::string& dir = g_target.dir;
  fd_ = open(dir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  if (fd_ < 0) {
    std::string name = dir + "/.memwall-io-XXXXXX";
    fd_ = mkstemp(name.data());
    if (fd_ >= 0) unlink(name.c_str());
  }
  if (fd_ < 0)
    throw std::runtime_error("cannot make the test file in " + dir + ": " + errno_text(errno));
  const int rc = posix_fallocate(fd_, 0, static_cast<off_t>(bytes_));
  if (rc == ENOSPC)
    throw std::runtime_error("no space left for the " + format_bytes(bytes_) + " test file in " +
                             dir);
  std::fprintf(stderr, "bench_io: writing the %s test file in %s (it has no name; freed on exit)\n",
               format_bytes(bytes_).c_str(), dir.c_str());
  constexpr uint64_t kChunk = 8 * kMiB;
  Buffer buf(kChunk, Pages::small4k);
  for (uint64_t off = 0; off < bytes_; off += kChunk) {
    if (stop_requested()) throw std::runtime_error("interrupted while writing the test file");
    const uint64_t len = std::min(kChunk, bytes_ - off);
    fill(buf.data(), off, len);
    const ssize_t n = pwrite(fd_, buf.data(), len, static_cast<off_t>(off));
    if (n != static_cast<ssize_t>(len))
      throw std::runtime_error("writing the test file: " +
                               (n < 0 ? errno_text(errno) : std::string("a short write")));
  }
  if (fdatasync(fd_) != 0) throw std::runtime_error("syncing the test file: " + errno_text(errno));
  drop_cache(0, bytes_);
}

bool IoTarget::set_direct(bool on) {
  if (on && !direct_ok_) return false;
  const int flags = fcntl(fd_, F_GETFL);
  return fcntl(fd_, F_SETFL, on ? flags | O_DIRECT : flags & ~O_DIRECT) == 0;
}

void IoTarget::fill(void* buf, uint64_t offset, uint64_t len) const {
  auto* p = static_cast<unsigned char*>(buf);
  for (uint64_t s = 0; s < len; s += kSector) {
    const uint64_t header[2] = {(offset + s) ^ kMagic, ~(offset + s)};
    std::memcpy(p + s, header, kHeader);
    std::memcpy(p + s + kHeader, payload().data(), kSector - kHeader);
  }
}

bool IoTarget::verify(const void* buf, uint64_t offset, uint64_t len) const {
  if (device_) return true;
  const auto* p = static_cast<const unsigned char*>(buf);
  for (uint64_t s = 0; s < len; s += kSector) {
    uint64_t header[2];
    std::memcpy(header, p + s, kHeader);
    if (header[0] != ((offset + s) ^ kMagic) || header[1] != ~(offset + s)) return false;
    if (std::memcmp(p + s + kHeader, payload().data(), kSector - kHeader) != 0) return false;
  }
  return true;
}

void IoTarget::drop_cache(uint64_t offset, uint64_t len) const {
  posix_fadvise(fd_, static_cast<off_t>(offset), static_cast<off_t>(len), POSIX_FADV_DONTNEED);
}

}  // namespace memwall::io
