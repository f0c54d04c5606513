#include <gtest/gtest.h>
#include <sys/mman.h>

#include <cstring>

#include "core/counters.hpp"
#include "core/thread_pool.hpp"

using namespace memwall;

namespace {

// Faults in `pages` fresh 4 KiB pages on the calling thread: one page fault each.
void fault_pages(size_t pages) {
  const size_t bytes = pages * 4096;
  void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  ASSERT_NE(p, MAP_FAILED);
  madvise(p, bytes, MADV_NOHUGEPAGE);
  for (size_t i = 0; i < pages; ++i) static_cast<volatile char*>(p)[i * 4096] = 1;
  munmap(p, bytes);
}

}  // namespace

// A worker's events count only where PAPI could attach to it; the status says how many threads
// were counted. Page faults are a software event: they count on a VM without a PMU too.
TEST(HwCounters, SumsTheThreadsItCountsAndSaysWhichItCould) {
  ThreadPool pool({0, 0});
  const std::vector<int> workers(pool.os_ids().begin() + 1, pool.os_ids().end());
  ASSERT_EQ(workers.size(), 1u);
  EXPECT_GT(workers[0], 0);
  HwCounters counters("perf::PAGE-FAULTS", workers);
  if (!counters.available()) {  // no PAPI in this build, or the kernel refuses
    EXPECT_FALSE(counters.status().empty());
    GTEST_SKIP() << counters.status();
  }
  EXPECT_NE(counters.status().find("of 2 threads"), std::string::npos) << counters.status();
  ASSERT_GE(counters.threads_counted(), 1);
  constexpr size_t kPages = 2048;
  counters.start();
  pool.run(2, [](int) { fault_pages(kPages); });
  const auto counts = counters.stop();
  ASSERT_EQ(counts.size(), 1u);
  EXPECT_GE(counts[0].second, static_cast<double>(kPages * counters.threads_counted()));
  if (counters.threads_counted() == 1) {  // the worker's faults are not in the caller's count
    EXPECT_LT(counts[0].second, static_cast<double>(2 * kPages));
  }
}
