#include <gtest/gtest.h>

#include "core/stats.hpp"

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
