// The run's state from /proc/stat: parsed from text, judged from two samples; never timed.
#include <gtest/gtest.h>
#include <unistd.h>

#include "core/run_state.hpp"

using namespace memwall;

namespace {

const char* kSelf = "4242 (bench cpu (x)) R 1 2 3 4 5 6 7 8 9 10 150 50 20 30 21 0";

CpuTicks ticks(const std::string& cpu_line, double wall_s) {
  CpuTicks t;
  EXPECT_TRUE(parse_cpu_ticks(cpu_line + "\ncpu0 1 2 3 4 5 6 7 8 0 0\n", kSelf, t));
  t.wall_s = wall_s;
  return t;
}

}  // namespace

TEST(RunState, ParsesProcStatAndTheOwnTimeAfterTheCommand) {
  CpuTicks t;
  ASSERT_TRUE(parse_cpu_ticks("cpu  100 10 50 800 5 3 2 30 0 0\n", kSelf, t));
  EXPECT_EQ(t.total, 1000u);
  EXPECT_EQ(t.busy, 165u);  // user nice system irq softirq
  EXPECT_EQ(t.steal, 30u);
  EXPECT_EQ(t.own, 150u + 50u + 20u + 30u);  // utime stime cutime cstime
  EXPECT_FALSE(parse_cpu_ticks("intr 1 2 3", kSelf, t));
  EXPECT_FALSE(parse_cpu_ticks("cpu  1 2", kSelf, t));
  EXPECT_FALSE(parse_cpu_ticks("cpu  100 10 50 800 5 3 2 30 0 0", "4242 (x) R 1", t));
}

TEST(RunState, OtherProcessesAndStealAboveTheThresholdsMarkTheBenchmark) {
  const double hz = static_cast<double>(sysconf(_SC_CLK_TCK));
  // One second on 4 CPUs: this process ran 1 CPU; nothing else ran.
  const CpuTicks a = ticks("cpu  0 0 0 0 0 0 0 0 0 0", 10);
  CpuTicks b = ticks("cpu  0 0 0 0 0 0 0 0 0 0", 11);
  b.total = static_cast<uint64_t>(4 * hz);
  b.own = a.own + static_cast<uint64_t>(hz);
  b.busy = static_cast<uint64_t>(hz);
  LoadState s = load_between(a, b);
  EXPECT_FALSE(s.loaded) << s.why;
  EXPECT_NEAR(s.other_cpus_busy, 0, 1e-9);
  // Two more CPUs busy with other work, and 10% of the time stolen.
  b.busy += static_cast<uint64_t>(2 * hz);
  b.steal = static_cast<uint64_t>(0.4 * hz);
  s = load_between(a, b);
  EXPECT_TRUE(s.loaded);
  EXPECT_NEAR(s.other_cpus_busy, 2, 1e-6);
  EXPECT_NEAR(s.steal_percent, 10, 1e-6);
  EXPECT_NE(s.why.find("2 CPUs busy"), std::string::npos) << s.why;
  EXPECT_NE(s.why.find("stole 10%"), std::string::npos) << s.why;
  // The same busy CPUs are this run's own MPI ranks: no other load.
  b.steal = 0;
  EXPECT_FALSE(load_between(a, b, 2).loaded);
  // No time between the samples: nothing is said.
  EXPECT_FALSE(load_between(a, a).loaded);
}
