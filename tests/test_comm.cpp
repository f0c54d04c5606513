#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <vector>

#include "bench_comm/collectives.hpp"
#include "bench_comm/gpu_plan.hpp"
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
  // Any rank count (3, 6, 96): the split collectives round their count down to a multiple of
  // the ranks, and their bytes are counted from it, as nccl-tests does.
  for (const int ranks : {3, 6, 96}) {
    const size_t floats = (1u << 20) / 4, per = floats / ranks;
    for (const Collective c :
         {Collective::all_gather, Collective::reduce_scatter, Collective::all_to_all}) {
      const Counts n = counts(c, 1 << 20, ranks);
      EXPECT_EQ(n.bytes, per * ranks * 4) << ranks;
      EXPECT_GT(n.send, 0u);
    }
    EXPECT_EQ(counts(Collective::all_gather, 1 << 20, ranks).send, per);
    EXPECT_EQ(counts(Collective::reduce_scatter, 1 << 20, ranks).recv, per);
    EXPECT_EQ(counts(Collective::all_reduce, 1 << 20, ranks).bytes, 1u << 20);
  }
  EXPECT_EQ(counts(Collective::reduce_scatter, 1 << 20, 4).recv, (1u << 18) / 4);
  // Sizes below one element per rank are not run; a partial element is not counted.
  EXPECT_EQ(counts(Collective::all_gather, 8, 3).send, 0u);
  EXPECT_EQ(counts(Collective::all_reduce, 6, 2).bytes, 4u);
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

// The GPU families' plan at any GPU count the test sets: every ordered pair in full mode, at
// most three pairs per GPU (its two ring neighbours and the GPU half the node away) in quick
// mode, every GPU a source and a destination; NCCL at 2, 4, 8, ... and every GPU.
TEST(GpuPlan, PeerPairsScaleWithTheNodeAtAnyCount) {
  using memwall::RunMode;
  using memwall::comm::p2p_pairs;
  EXPECT_TRUE(p2p_pairs(0, RunMode::quick).empty());
  EXPECT_TRUE(p2p_pairs(1, RunMode::full).empty());
  for (int gpus : {2, 3, 5, 8, 12, 16, 72}) {
    const auto full = p2p_pairs(gpus, RunMode::full);
    EXPECT_EQ(full.size(), static_cast<size_t>(gpus * (gpus - 1))) << gpus;
    const auto quick = p2p_pairs(gpus, RunMode::quick);
    EXPECT_LE(quick.size(), static_cast<size_t>(3 * gpus)) << gpus;
    std::set<int> from, to;
    for (const auto& [a, b] : quick) {
      EXPECT_NE(a, b);
      EXPECT_TRUE(a >= 0 && a < gpus && b >= 0 && b < gpus);
      from.insert(a);
      to.insert(b);
    }
    EXPECT_EQ(from.size(), static_cast<size_t>(gpus)) << gpus;
    EXPECT_EQ(to.size(), static_cast<size_t>(gpus)) << gpus;
    if (gpus >= 4) {  // the far GPU of each is sampled, not only its neighbours
      EXPECT_EQ(std::count(quick.begin(), quick.end(), std::make_pair(0, gpus / 2)), 1);
    }
  }
  EXPECT_EQ(p2p_pairs(8, RunMode::normal).size(), 56u);        // a DGX's 8 GPUs: every pair
  EXPECT_EQ(p2p_pairs(8, RunMode::normal, 0.25).size(), 24u);  // unless a budget cut it
  EXPECT_EQ(p2p_pairs(8, RunMode::full, 0.25).size(), 56u);
  EXPECT_EQ(p2p_pairs(8, RunMode::quick).size(), 24u);
  EXPECT_EQ(memwall::comm::p2p_sampling(8, RunMode::full), "every ordered pair (56)");
}

TEST(GpuPlan, NcclRunsAtPowersOfTwoAndEveryGpu) {
  using memwall::comm::nccl_rank_counts;
  EXPECT_EQ(nccl_rank_counts(1), std::vector<int>({1}));
  EXPECT_EQ(nccl_rank_counts(2), std::vector<int>({2}));
  EXPECT_EQ(nccl_rank_counts(3), std::vector<int>({2, 3}));
  EXPECT_EQ(nccl_rank_counts(8), std::vector<int>({2, 4, 8}));
  EXPECT_EQ(nccl_rank_counts(12), std::vector<int>({2, 4, 8, 12}));
}
