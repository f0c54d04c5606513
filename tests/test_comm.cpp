#include <gtest/gtest.h>

#include <vector>

#include "bench_comm/collectives.hpp"
#include "core/units.hpp"

using namespace memwall;
using namespace memwall::comm;

// nccl-tests' bus bandwidth factors, for every collective and a range of rank counts.
TEST(Collectives, BusFactorsAreNcclTests) {
  for (int n : {2, 3, 4, 8, 16, 64}) {
    const double d = n;
    EXPECT_DOUBLE_EQ(bus_factor(Collective::all_reduce, n), 2 * (d - 1) / d) << n;
    EXPECT_DOUBLE_EQ(bus_factor(Collective::all_gather, n), (d - 1) / d);
    EXPECT_DOUBLE_EQ(bus_factor(Collective::reduce_scatter, n), (d - 1) / d);
    EXPECT_DOUBLE_EQ(bus_factor(Collective::all_to_all, n), (d - 1) / d);
    EXPECT_DOUBLE_EQ(bus_factor(Collective::broadcast, n), 1);
    EXPECT_DOUBLE_EQ(bus_factor(Collective::reduce, n), 1);
  }
  EXPECT_DOUBLE_EQ(bus_factor(Collective::all_reduce, 8), 1.75);
}

TEST(Collectives, CountsFollowTheSizeColumn) {
  // all_reduce of 1 MiB on 4 ranks: each sends and receives the whole 1 MiB.
  EXPECT_EQ(counts(Collective::all_reduce, 1 << 20, 4).send, (1u << 20) / 4);
  // all_gather of a 1 MiB result on 4 ranks: each contributes a quarter.
  EXPECT_EQ(counts(Collective::all_gather, 1 << 20, 4).send, (1u << 18) / 4);
  EXPECT_EQ(counts(Collective::all_gather, 1 << 20, 4).recv, (1u << 18));
  EXPECT_EQ(counts(Collective::reduce_scatter, 1 << 20, 4).recv, (1u << 18) / 4);
  // Sizes that do not divide over the ranks are not run.
  EXPECT_EQ(counts(Collective::all_gather, 8, 3).send, 0u);
  EXPECT_EQ(counts(Collective::all_reduce, 6, 2).send, 0u);
}

// The result each rank would hold, computed here rank by rank, passes; a wrong one fails.
TEST(Collectives, CheckAcceptsTheRightResultAndCatchesAWrongOne) {
  const int ranks = 3;
  const size_t n = 12;
  std::vector<float> sum(n);
  for (size_t i = 0; i < n; ++i)
    for (int r = 0; r < ranks; ++r) sum[i] += input_value(r, i);
  for (int r = 0; r < ranks; ++r)
    EXPECT_EQ(check_collective(Collective::all_reduce, r, ranks, sum.data(), n), "");
  sum[5] += 1;
  EXPECT_NE(check_collective(Collective::all_reduce, 1, ranks, sum.data(), n), "");
  // all_gather: chunk j is rank j's input.
  std::vector<float> gathered(n);
  for (size_t i = 0; i < n; ++i) gathered[i] = input_value(static_cast<int>(i / 4), i % 4);
  EXPECT_EQ(check_collective(Collective::all_gather, 2, ranks, gathered.data(), n), "");
  std::swap(gathered[0], gathered[4]);
  EXPECT_NE(check_collective(Collective::all_gather, 2, ranks, gathered.data(), n), "");
  // all_to_all: rank 1 gets chunk 1 of every rank's buffer.
  std::vector<float> a2a(n);
  for (size_t i = 0; i < n; ++i) a2a[i] = input_value(static_cast<int>(i / 4), 4 + i % 4);
  EXPECT_EQ(check_collective(Collective::all_to_all, 1, ranks, a2a.data(), n), "");
  EXPECT_NE(check_collective(Collective::all_to_all, 0, ranks, a2a.data(), n), "");
  // reduce: only the root's result counts.
  std::vector<float> junk(n, -1);
  EXPECT_EQ(check_collective(Collective::reduce, 1, ranks, junk.data(), n), "");
  EXPECT_NE(check_collective(Collective::reduce, 0, ranks, junk.data(), n), "");
}

TEST(Collectives, NamesAreCheckedOnTheCommandLine) {
  EXPECT_EQ(find_collective("allreduce").kind, Collective::all_reduce);
  EXPECT_EQ(find_collective("all_reduce").kind, Collective::all_reduce);
  EXPECT_THROW(find_collective("allsum"), UsageError);
}
