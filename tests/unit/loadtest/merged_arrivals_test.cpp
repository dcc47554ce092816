// Flows' schedules summed and their arrivals merged: each flow keeps its own count and spacing,
// the merged stream is in time order, and flows at the same rate do not fire together.
#include "schedule/merged_arrivals.h"

#include <gtest/gtest.h>

#include <set>

namespace levee::load {
namespace {

using namespace std::chrono_literals;

TEST(SumSchedules, BreaksAtEveryBoundaryAndAddsRates) {
  const Schedule a({{2s, 100, 100}, {2s, 100, 500}});
  const Schedule b({{1s, 0, 0}, {2s, 50, 50}});
  const Schedule sum = sum_schedules({&a, &b});
  EXPECT_EQ(sum.duration(), 4s);
  EXPECT_DOUBLE_EQ(sum.total_count(), a.total_count() + b.total_count());
  ASSERT_EQ(sum.segments().size(), 4u);
  EXPECT_DOUBLE_EQ(sum.rate_at(500ms), 100);
  EXPECT_DOUBLE_EQ(sum.rate_at(1500ms), 150);
  EXPECT_DOUBLE_EQ(sum.segments()[2].end_rate, 350);  // 300 from a's ramp at 3 s, plus b's 50
  EXPECT_DOUBLE_EQ(sum.rate_at(3500ms), 400);
}

TEST(MergedArrivals, EachFlowKeepsItsOwnScheduleInOneTimeOrderedStream) {
  const Schedule heavy({{1s, 1000, 1000}});
  const Schedule light({{1s, 10, 10}});
  const Schedule late({{500ms, 0, 0}, {500ms, 100, 100}});
  std::size_t counts[3] = {0, 0, 0};
  for (unsigned thread = 0; thread < 2; ++thread) {
    MergedArrivals merged({&heavy, &light, &late}, ArrivalKind::uniform, thread, 2, 1);
    Nanos previous{-1};
    while (const auto arrival = merged.next()) {
      EXPECT_GE(arrival->at, previous);
      previous = arrival->at;
      ++counts[arrival->flow];
      if (arrival->flow == 2) {
        EXPECT_GE(arrival->at, 500ms);
      }
    }
  }
  EXPECT_EQ(counts[0], 1000u);
  EXPECT_EQ(counts[1], 10u);
  EXPECT_EQ(counts[2], 50u);
}

TEST(MergedArrivals, FlowsAtTheSameRateAreSpreadOut) {
  std::vector<Schedule> schedules(50, Schedule({{1s, 2, 2}}));
  std::vector<const Schedule*> pointers;
  for (const auto& s : schedules) pointers.push_back(&s);
  MergedArrivals merged(pointers, ArrivalKind::uniform, 0, 1, 1);
  std::set<std::int64_t> instants;
  std::size_t n = 0;
  while (const auto arrival = merged.next()) {
    instants.insert(arrival->at.count());
    ++n;
  }
  EXPECT_EQ(n, 100u);
  EXPECT_GT(instants.size(), 90u);  // not 2 bursts of 50
}

TEST(MergedArrivals, PoissonFlowsCountAboutTheirRate) {
  const Schedule a({{10s, 200, 200}});
  const Schedule b({{10s, 50, 50}});
  MergedArrivals merged({&a, &b}, ArrivalKind::poisson, 0, 1, 7);
  std::size_t counts[2] = {0, 0};
  while (const auto arrival = merged.next()) ++counts[arrival->flow];
  EXPECT_NEAR(static_cast<double>(counts[0]), 2000, 200);
  EXPECT_NEAR(static_cast<double>(counts[1]), 500, 100);
}

}  // namespace
}  // namespace levee::load
