#include <gtest/gtest.h>

#include <algorithm>

#include "bench_cpu/chase.hpp"
#include "core/buffer.hpp"

using namespace memwall;
using namespace memwall::cpu;

namespace {
void expect_single_cycle(uint64_t lines, uint64_t group, ChaseOrder order) {
  const auto visit = chase_order(lines, group, order, 42);
  ASSERT_TRUE(is_permutation_of_lines(visit));
  Buffer buffer(lines * 64, Pages::small4k);
  void* start = link_chase(buffer.data(), 64, visit);
  // One cycle through every line: back at the start after exactly `lines` steps, not before.
  EXPECT_EQ(cycle_length(start, lines + 1), lines);
  EXPECT_EQ(chase(start, lines), start);
}
}  // namespace

TEST(Chase, EveryOrderIsOneCycleThroughEveryLine) {
  for (uint64_t lines : {2ull, 3ull, 64ull, 1000ull, 65536ull}) {
    expect_single_cycle(lines, 64, ChaseOrder::local);
    expect_single_cycle(lines, 64, ChaseOrder::random);
    expect_single_cycle(lines, 64, ChaseOrder::stride);
  }
}

TEST(Chase, LocalOrderKeepsPageGroupsTogether) {
  const uint64_t group = 4096 / 64;
  const auto visit = chase_order(100 * group, group, ChaseOrder::local, 7);
  for (uint64_t k = 0; k < visit.size(); k += group)
    for (uint64_t j = k; j < k + group; ++j) EXPECT_EQ(visit[j] / group, visit[k] / group);
  // ...and is not simply in address order.
  EXPECT_NE(visit, chase_order(100 * group, group, ChaseOrder::stride, 7));
}

TEST(Chase, PointersSpreadOverTheSlotsOfALine) {
  Buffer buffer(64 * 64, Pages::small4k);
  std::vector<bool> used(8, false);
  for (uint64_t line = 0; line < 64; ++line) {
    const char* p = pointer_slot(buffer.data(), 64, line);
    const uint64_t offset = p - static_cast<char*>(buffer.data());
    ASSERT_EQ(offset / 64, line);  // inside its own line, 8-byte aligned
    ASSERT_EQ(offset % 8, 0u);
    used[(offset % 64) / 8] = true;
  }
  EXPECT_EQ(std::count(used.begin(), used.end(), true), 8);
}

TEST(Chase, StrideIsAddressOrder) {
  const auto visit = chase_order(10, 1, ChaseOrder::stride, 1);
  for (uint64_t i = 0; i < 10; ++i) EXPECT_EQ(visit[i], i);
}

TEST(Chase, PermutationCheckCatchesRepeatsAndGaps) {
  EXPECT_FALSE(is_permutation_of_lines({0, 1, 1}));
  EXPECT_FALSE(is_permutation_of_lines({0, 3, 1}));
  EXPECT_TRUE(is_permutation_of_lines({2, 0, 1}));
}

TEST(Chase, BrokenLinkShortensTheCycle) {
  const auto visit = chase_order(128, 16, ChaseOrder::random, 3);
  Buffer buffer(128 * 64, Pages::small4k);
  void* start = link_chase(buffer.data(), 64, visit);
  // Point the 10th line back at the start: the walk now misses lines.
  *reinterpret_cast<void**>(pointer_slot(buffer.data(), 64, visit[9])) = start;
  EXPECT_EQ(cycle_length(start, 129), 10u);
}

// At multichase's default stride of 256 bytes a chase touches one line per 256 bytes, at
// offsets spread over all four lines of each element.
TEST(Chase, DefaultStrideTouchesOneLinePer256Bytes) {
  const uint64_t stride = 256, elements = 4096;
  Buffer buffer(elements * stride, Pages::small4k);
  const auto visit = chase_order(elements, 1024, ChaseOrder::local, 5);
  void* start = link_chase(buffer.data(), stride, visit);
  std::vector<int> lines_in_element(elements, 0);
  std::vector<int> line_of_element(4, 0);
  void* p = start;
  for (uint64_t step = 0; step < elements; ++step) {
    const uint64_t offset = static_cast<char*>(p) - static_cast<char*>(buffer.data());
    ++lines_in_element[offset / stride];
    ++line_of_element[(offset % stride) / 64];
    p = *static_cast<void**>(p);
  }
  EXPECT_EQ(p, start);
  for (int n : lines_in_element) ASSERT_EQ(n, 1);  // one line of each 256-byte element
  for (int n : line_of_element) EXPECT_GT(n, static_cast<int>(elements) / 8);
  EXPECT_EQ(kDefaultChaseStride, 256u);
}
