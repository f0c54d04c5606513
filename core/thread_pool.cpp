#include "core/thread_pool.hpp"

#include "core/timing.hpp"
#include "core/topology.hpp"

#if defined(__x86_64__)
#include <immintrin.h>
#define MEMWALL_PAUSE() _mm_pause()
#else
#define MEMWALL_PAUSE() std::this_thread::yield()
#endif

#if defined(__linux__)
#include <sys/syscall.h>
#include <unistd.h>
#endif

namespace memwall {

namespace {
int os_thread_id() {
#if defined(__linux__)
  return static_cast<int>(syscall(SYS_gettid));
#else
  return 0;
#endif
}
}  // namespace

ThreadPool::ThreadPool(std::vector<int> cpus) : cpus_(std::move(cpus)) {
  if (cpus_.empty()) cpus_.push_back(0);
  pinned_.assign(cpus_.size(), 0);
  os_ids_.assign(cpus_.size(), 0);
  pinned_[0] = pin_current_thread(cpus_[0]);
  os_ids_[0] = os_thread_id();
  std::atomic<int> started{0};
  for (int tid = 1; tid < size(); ++tid) {
    threads_.emplace_back([this, tid, &started] {
      pinned_[tid] = pin_current_thread(cpus_[tid]);
      os_ids_[tid] = os_thread_id();
      // The generation is read before the pool counts this worker started: a run() right
      // after the constructor returns is then one it waits for, never one it already saw.
      const uint64_t seen = state_.load() >> 16;
      started.fetch_add(1);
      worker(tid, seen);
    });
  }
  while (started.load() < size() - 1) std::this_thread::yield();
}

bool ThreadPool::pinned() const {
  return std::all_of(pinned_.begin(), pinned_.end(), [](char p) { return p != 0; });
}

ThreadPool::~ThreadPool() {
  {
    const std::lock_guard<std::mutex> lock(wake_mutex_);
    quit_.store(true);
    state_.fetch_add(1ull << 16);
  }
  wake_.notify_all();
  for (std::thread& t : threads_) t.join();
}

void ThreadPool::worker(int tid, uint64_t seen) {
  for (;;) {
    // Spin briefly (a benchmark calls run() back to back), then sleep in the kernel so an
    // idle worker does not steal a core from a single-threaded measurement.
    uint64_t state = state_.load(std::memory_order_acquire);
    const int spins = then_sleep_.load(std::memory_order_relaxed) ? 0 : 20000;
    for (int spin = 0; spin < spins && (state >> 16) == seen; ++spin) {
      MEMWALL_PAUSE();
      state = state_.load(std::memory_order_acquire);
    }
    if ((state >> 16) == seen) {
      std::unique_lock<std::mutex> lock(wake_mutex_);
      wake_.wait(lock, [&] { return (state_.load(std::memory_order_acquire) >> 16) != seen; });
      state = state_.load(std::memory_order_acquire);
    }
    seen = state >> 16;
    if (quit_.load()) return;
    if (static_cast<uint64_t>(tid) < (state & 0xffff)) {
      try {
        (*body_)(tid);
      } catch (...) {
        const std::lock_guard<std::mutex> lock(error_mutex_);
        if (!error_) error_ = std::current_exception();
      }
      done_.fetch_add(1, std::memory_order_acq_rel);
    }
  }
}

void ThreadPool::run(int n, const std::function<void(int)>& body, bool then_sleep) {
  if (n < 1 || n > size()) throw std::invalid_argument("ThreadPool::run: bad thread count");
  body_ = &body;
  then_sleep_.store(then_sleep, std::memory_order_relaxed);
  done_.store(0);
  if (n > 1) {
    {
      const std::lock_guard<std::mutex> lock(wake_mutex_);
      const uint64_t generation = (state_.load() >> 16) + 1;
      state_.store(generation << 16 | static_cast<uint64_t>(n), std::memory_order_release);
    }
    wake_.notify_all();
  }
  std::exception_ptr mine;
  try {
    body(0);
  } catch (...) {
    mine = std::current_exception();
  }
  while (done_.load(std::memory_order_acquire) < n - 1) MEMWALL_PAUSE();
  std::exception_ptr error = mine;
  {
    const std::lock_guard<std::mutex> lock(error_mutex_);
    if (!error) error = error_;
    error_ = nullptr;
  }
  if (error) std::rethrow_exception(error);
}

void ThreadPool::barrier(int n) {
  const uint64_t phase = barrier_phase_.load(std::memory_order_acquire);
  if (arrived_.fetch_add(1, std::memory_order_acq_rel) == n - 1) {
    arrived_.store(0, std::memory_order_relaxed);
    barrier_phase_.fetch_add(1, std::memory_order_acq_rel);
  } else {
    while (barrier_phase_.load(std::memory_order_acquire) == phase) MEMWALL_PAUSE();
  }
}

double ThreadPool::run_timed(int n, const std::function<void(int)>& body) {
  int64_t t0 = 0, t1 = 0;
  run(n, [&](int tid) {
    barrier(n);
    if (tid == 0) t0 = now_ns();
    std::exception_ptr error;  // every thread must reach the second barrier
    try {
      body(tid);
    } catch (...) {
      error = std::current_exception();
    }
    barrier(n);
    if (tid == 0) t1 = now_ns();
    if (error) std::rethrow_exception(error);
  });
  return static_cast<double>(t1 - t0) * 1e-9;
}

}  // namespace memwall
