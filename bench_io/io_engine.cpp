#include "bench_io/io_engine.hpp"

#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "core/buffer.hpp"
#include "core/units.hpp"

#if MEMWALL_HAVE_LIBURING
#include <liburing.h>
#endif

namespace memwall::io {

namespace {

// Twice the queue depth of buffers: a completed read is checked while the I/O that replaced
// it is already in flight, so verifying never idles the queue.
struct Slots {
  std::vector<Buffer> buffers;
  std::vector<uint64_t> offsets;
  std::vector<CompletionTimes::Stamp> stamps;
  std::vector<int> free;
};

Slots& slots_for(int count, uint64_t block_bytes) {
  static std::unique_ptr<Slots> cached;
  if (!cached || static_cast<int>(cached->buffers.size()) != count ||
      cached->buffers[0].bytes() != block_bytes) {
    cached.reset();
    cached = std::make_unique<Slots>();
    for (int i = 0; i < count; ++i) {
      cached->buffers.emplace_back(block_bytes, Pages::small4k);
      std::memset(cached->buffers.back().data(), 0, block_bytes);
    }
    cached->offsets.assign(count, 0);
    cached->stamps.assign(count, 0);
  }
  cached->free.clear();
  for (int i = count - 1; i >= 0; --i) cached->free.push_back(i);
  return *cached;
}

std::string io_error(const IoJob& job, uint64_t offset, long long result, uint64_t expected) {
  return std::string(job.write ? "write" : "read") + " at offset " + std::to_string(offset) +
         (result < 0
              ? ": " + std::string(std::strerror(static_cast<int>(-result)))
              : ": " + std::to_string(result) + " of " + std::to_string(expected) + " bytes");
}

#if MEMWALL_HAVE_LIBURING
struct Ring {
  io_uring ring{};
  unsigned entries = 0;
  ~Ring() { io_uring_queue_exit(&ring); }
};

// One ring, made again only when a deeper queue is asked for.
io_uring* ring_for(unsigned depth) {
  static std::unique_ptr<Ring> cached;
  if (!cached || cached->entries < depth) {
    cached.reset();
    auto r = std::make_unique<Ring>();
    const int rc = io_uring_queue_init(depth, &r->ring, 0);
    if (rc < 0) throw std::runtime_error("io_uring_queue_init: " + std::string(strerror(-rc)));
    r->entries = depth;
    cached = std::move(r);
  }
  return &cached->ring;
}

IoOutcome run_uring(const IoJob& job, IoCursor& cursor, CompletionTimes& times) {
  IoTarget& t = IoTarget::get();
  const uint64_t blocks = t.bytes() / job.block_bytes;
  io_uring* ring = ring_for(static_cast<unsigned>(job.queue_depth));
  Slots& s = slots_for(2 * job.queue_depth, job.block_bytes);
  IoOutcome out;
  uint64_t submitted = 0;
  int in_flight = 0;
  auto queue_one = [&] {
    const int slot = s.free.back();
    s.free.pop_back();
    s.offsets[slot] = cursor.take(job, blocks) * job.block_bytes;
    if (job.write) t.fill(s.buffers[slot].data(), s.offsets[slot], job.block_bytes);
    io_uring_sqe* sqe = io_uring_get_sqe(ring);
    if (job.write)
      io_uring_prep_write(sqe, t.fd(), s.buffers[slot].data(), job.block_bytes, s.offsets[slot]);
    else
      io_uring_prep_read(sqe, t.fd(), s.buffers[slot].data(), job.block_bytes, s.offsets[slot]);
    io_uring_sqe_set_data(sqe, reinterpret_cast<void*>(static_cast<uintptr_t>(slot)));
    s.stamps[slot] = times.submitted();
    ++submitted;
    ++in_flight;
  };
  while (submitted < job.ios && in_flight < job.queue_depth) queue_one();
  io_uring_submit(ring);
  std::vector<int> done;
  while (in_flight > 0) {
    io_uring_cqe* cqe = nullptr;
    const int rc = io_uring_wait_cqe(ring, &cqe);
    if (rc == -EINTR) continue;
    if (rc < 0) {
      out.error = "io_uring_wait_cqe: " + std::string(strerror(-rc));
      return out;
    }
    done.clear();
    unsigned head;
    io_uring_for_each_cqe(ring, head, cqe) {
      const int slot = static_cast<int>(reinterpret_cast<uintptr_t>(io_uring_cqe_get_data(cqe)));
      times.completed(s.stamps[slot]);
      if (cqe->res != static_cast<int>(job.block_bytes) && out.error.empty())
        out.error = io_error(job, s.offsets[slot], cqe->res, job.block_bytes);
      done.push_back(slot);
      --in_flight;
      ++out.completed;
    }
    io_uring_cq_advance(ring, static_cast<unsigned>(done.size()));
    // Refill first, then check what completed while the new I/Os are on their way.
    for (int slot : done) s.free.insert(s.free.begin(), slot);
    while (out.error.empty() && submitted < job.ios && in_flight < job.queue_depth) queue_one();
    io_uring_submit(ring);
    for (int slot : done)
      if (!job.write && out.error.empty() &&
          !t.verify(s.buffers[slot].data(), s.offsets[slot], job.block_bytes))
        out.error = "the block read at offset " + std::to_string(s.offsets[slot]) +
                    " is not the one written there";
  }
  out.bytes = out.completed * job.block_bytes;
  return out;
}
#endif

IoOutcome run_psync(const IoJob& job, IoCursor& cursor, CompletionTimes& times) {
  IoTarget& t = IoTarget::get();
  const uint64_t blocks = t.bytes() / job.block_bytes;
  Slots& s = slots_for(job.queue_depth, job.block_bytes);
  std::atomic<uint64_t> claimed{0};
  std::mutex lock;  // the cursor and the merged outcome
  IoOutcome out;
  auto worker = [&](int slot) {
    CompletionTimes mine;
    std::string error;
    uint64_t completed = 0;
    void* buf = s.buffers[slot].data();
    while (error.empty() && claimed.fetch_add(1) < job.ios) {
      uint64_t offset;
      {
        std::lock_guard<std::mutex> g(lock);
        offset = cursor.take(job, blocks) * job.block_bytes;
      }
      if (job.write) t.fill(buf, offset, job.block_bytes);
      const CompletionTimes::Stamp stamp = mine.submitted();
      const ssize_t n = job.write ? pwrite(t.fd(), buf, job.block_bytes, static_cast<off_t>(offset))
                                  : pread(t.fd(), buf, job.block_bytes, static_cast<off_t>(offset));
      mine.completed(stamp);
      if (n != static_cast<ssize_t>(job.block_bytes))
        error = io_error(job, offset, n < 0 ? -errno : n, job.block_bytes);
      else if (!job.write && !t.verify(buf, offset, job.block_bytes))
        error =
            "the block read at offset " + std::to_string(offset) + " is not the one written there";
      ++completed;
    }
    std::lock_guard<std::mutex> g(lock);
    times.merge(mine);
    out.completed += completed;
    if (out.error.empty()) out.error = error;
  };
  std::vector<std::thread> threads;
  for (int i = 1; i < job.queue_depth; ++i) threads.emplace_back(worker, i);
  worker(0);
  for (std::thread& th : threads) th.join();
  out.bytes = out.completed * job.block_bytes;
  return out;
}

}  // namespace

uint64_t IoCursor::take(const IoJob& job, uint64_t blocks) {
  if (!job.random) return next_block++ % blocks;
  random_state ^= random_state << 13, random_state ^= random_state >> 7,
      random_state ^= random_state << 17;
  return random_state % blocks;
}

const EngineChoice& engine_choice(const std::string& asked) {
  static const EngineChoice choice = [&] {
    std::string why_not;
#if MEMWALL_HAVE_LIBURING
    if (asked != "psync") {
      io_uring ring{};
      const int rc = io_uring_queue_init(4, &ring, 0);
      if (rc == 0) {
        io_uring_queue_exit(&ring);
        return EngineChoice{"io_uring", "io_uring through liburing " MEMWALL_LIBURING_VERSION
                                        ", one thread keeping the queue depth in flight"};
      }
      why_not = "io_uring refused by the kernel (" + std::string(strerror(-rc)) + ")";
    }
#else
    why_not = "built without liburing (install liburing-dev and rebuild)";
#endif
    if (asked == "io_uring") throw UsageError("--io-engine io_uring: " + why_not);
    if (asked == "psync") why_not = "asked with --io-engine psync";
    return EngineChoice{"psync",
                        "pread/pwrite, one thread per queue slot (as fio's psync with "
                        "numjobs = queue depth): " +
                            why_not};
  }();
  return choice;
}

void prepare_engine(const IoJob& job) {
#if MEMWALL_HAVE_LIBURING
  if (engine_choice(io_options().engine).name == "io_uring") {
    ring_for(static_cast<unsigned>(job.queue_depth));
    slots_for(2 * job.queue_depth, job.block_bytes);
    return;
  }
#endif
  slots_for(job.queue_depth, job.block_bytes);
}

IoOutcome run_ios(const IoJob& job, IoCursor& cursor, CompletionTimes& times) {
#if MEMWALL_HAVE_LIBURING
  if (engine_choice(io_options().engine).name == "io_uring") return run_uring(job, cursor, times);
#endif
  return run_psync(job, cursor, times);
}

}  // namespace memwall::io
