#include <gtest/gtest.h>

#include "core/stats.hpp"
#include "core/timing.hpp"

using memwall::summarize;

TEST(Stats, OddCount) {
  const auto s = summarize({3, 1, 2});
  EXPECT_EQ(s.count, 3);
  EXPECT_DOUBLE_EQ(s.min, 1);
  EXPECT_DOUBLE_EQ(s.max, 3);
  EXPECT_DOUBLE_EQ(s.median, 2);
  EXPECT_DOUBLE_EQ(s.mean, 2);
  EXPECT_DOUBLE_EQ(s.stddev, 1);
  EXPECT_DOUBLE_EQ(s.cv, 0.5);
}

TEST(Stats, EvenCountMedianIsMidpoint) {
  const auto s = summarize({4, 1, 3, 2});
  EXPECT_DOUBLE_EQ(s.median, 2.5);
}

TEST(Stats, SingleValueHasNoSpread) {
  const auto s = summarize({7});
  EXPECT_DOUBLE_EQ(s.median, 7);
  EXPECT_DOUBLE_EQ(s.stddev, 0);
  EXPECT_DOUBLE_EQ(s.cv, 0);
}

TEST(Stats, EmptyThrows) {
  EXPECT_THROW(summarize({}), std::invalid_argument);
}

// Storage latency percentiles come from every completion, by nearest rank (fio's clat/lat
// percentiles): the stamps of a completion are read by core, so the test checks the ranking.
TEST(CompletionTimes, NearestRankOverEveryCompletion) {
  memwall::CompletionTimes none;
  EXPECT_EQ(none.percentile_ns(50), 0);
  EXPECT_EQ(none.mean_ns(), 0);
  memwall::CompletionTimes a, b;
  for (int i = 0; i < 500; ++i) a.completed(a.submitted());
  for (int i = 0; i < 500; ++i) b.completed(b.submitted());
  a.merge(b);
  EXPECT_EQ(a.count(), 1000u);
  const double p50 = a.percentile_ns(50), p99 = a.percentile_ns(99), p999 = a.percentile_ns(99.9);
  EXPECT_GE(p50, 0);
  EXPECT_LE(p50, p99);
  EXPECT_LE(p99, p999);
  EXPECT_LE(p999, a.percentile_ns(100));
  EXPECT_GE(a.mean_ns(), 0);
}
