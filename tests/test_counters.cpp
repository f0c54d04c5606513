#include <gtest/gtest.h>
#include <sys/mman.h>

#include <cstring>

#include "core/counters.hpp"
#include "core/cpu_id.hpp"
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

// The memory-read group is tried after the base events; one the PMU lacks is skipped with its
// reason, and the first that counts gives bytes (a software event stands in for a PMU event
// here, which the VMs we test on lack).
TEST(HwCounters, CountsTheFirstMemoryReadGroupThePmuTakes) {
  const std::vector<TrafficEvents> groups = {
      {"a group no PMU has", {"NO_SUCH_EVENT:AT_ALL"}, 64},
      {"page faults standing in for lines", {"perf::PAGE-FAULTS"}, 64}};
  HwCounters counters("perf::TASK-CLOCK", {}, groups);
  if (!counters.available()) GTEST_SKIP() << counters.status();
  ASSERT_EQ(counters.traffic().events, std::vector<std::string>{"perf::PAGE-FAULTS"});
  EXPECT_NE(counters.status().find("memory reads counted by perf::PAGE-FAULTS"), std::string::npos)
      << counters.status();
  constexpr size_t kPages = 512;
  counters.start();
  fault_pages(kPages);
  const auto counts = counters.stop();
  EXPECT_GE(counters.traffic_bytes(counts), 64.0 * kPages);

  HwCounters none("perf::TASK-CLOCK", {}, {groups[0]});
  ASSERT_TRUE(none.available()) << none.status();
  EXPECT_TRUE(none.traffic().events.empty());
  EXPECT_NE(none.status().find("no memory-read events (PAPI event NO_SUCH_EVENT:AT_ALL"),
            std::string::npos)
      << none.status();
}

// The table names, per vendor, events libpfm 4.13 encodes (checked with
// pfm_get_os_event_encoding under LIBPFM_FORCE_PMU for zen2/zen3/zen4 and hsw/skx/icx/spr).
TEST(TrafficEvents, TableByVendorAndTheUsersList) {
  CpuId zen4;
  zen4.arch = "x86_64";
  zen4.vendor = "AuthenticAMD";
  zen4.family = 0x19;
  zen4.model = 0x11;
  const auto amd = traffic_event_candidates(zen4);
  ASSERT_EQ(amd.size(), 3u);
  EXPECT_EQ(amd[0].events[0], "ANY_DATA_CACHE_FILLS_FROM_SYSTEM:DRAM_IO_NEAR:DRAM_IO_FAR");
  for (const TrafficEvents& t : amd) EXPECT_EQ(t.bytes_per_count, 64);
  CpuId xeon = zen4;
  xeon.vendor = "GenuineIntel";
  xeon.family = 6;
  xeon.model = 0x8f;
  EXPECT_EQ(traffic_event_candidates(xeon).at(0).events,
            std::vector<std::string>{"LONGEST_LAT_CACHE:MISS"});
  CpuId grace;
  grace.arch = "aarch64";
  grace.vendor = "NVIDIA";
  EXPECT_EQ(traffic_event_candidates(grace).at(0).events,
            std::vector<std::string>{"LL_CACHE_MISS_RD"});
  CpuId riscv;
  riscv.arch = "riscv64";
  EXPECT_TRUE(traffic_event_candidates(riscv).empty());
  EXPECT_EQ(traffic_events_from_list("A:X+B").events, (std::vector<std::string>{"A:X", "B"}));
}
