// Pinned worker threads that run one function on N threads at once, with the caller as
// thread 0, so a kernel's threads start together and the time covers all of them.
#pragma once
#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace memwall {

class ThreadPool {
 public:
  // cpus[i] is the OS CPU thread i is pinned to; cpus[0] is the caller's.
  explicit ThreadPool(std::vector<int> cpus);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int size() const { return static_cast<int>(cpus_.size()); }
  // Whether every thread, or thread `tid`, was pinned to its CPU.
  bool pinned() const;
  bool pinned(int tid) const { return pinned_[tid] != 0; }
  // The kernel's id of each thread (Linux gettid; 0 where there is none), for counters that
  // attach to a thread from outside it.
  const std::vector<int>& os_ids() const { return os_ids_; }

  // Runs body(tid) for tid in [0, n) and returns when all have finished. An exception thrown
  // by any thread's body is rethrown here (the first one), after every thread has finished.
  // `then_sleep`: idle workers sleep at once after this run instead of spinning for the next,
  // for a run between calls into a library whose own threads need the same cores.
  void run(int n, const std::function<void(int)>& body, bool then_sleep = false);
  // As run(), but all n threads first meet at a barrier; returns the seconds from the moment
  // all were ready until the last one finished.
  double run_timed(int n, const std::function<void(int)>& body);

 private:
  void worker(int tid, uint64_t seen);
  void barrier(int n);

  std::vector<int> cpus_;
  std::vector<std::thread> threads_;
  std::vector<char> pinned_;
  std::vector<int> os_ids_;
  // (generation << 16) | active threads, in one word so a worker never sees the thread count
  // of one run with the generation of another.
  std::atomic<uint64_t> state_{0};
  // Where an idle worker sleeps. A condition variable, not std::atomic::wait: GCC 12's wait
  // on a 64-bit atomic can miss a notify (GCC bug 104928), which left a worker asleep and the
  // caller spinning for good under qemu in CI.
  std::mutex wake_mutex_;
  std::condition_variable wake_;
  std::atomic<int> done_{0};
  std::atomic<int> arrived_{0};
  std::atomic<uint64_t> barrier_phase_{0};
  const std::function<void(int)>* body_ = nullptr;
  std::atomic<bool> quit_{false};
  std::atomic<bool> then_sleep_{false};
  std::mutex error_mutex_;
  std::exception_ptr error_;
};

}  // namespace memwall
