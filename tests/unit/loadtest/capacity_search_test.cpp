#include "schedule/capacity_search.h"

#include <gtest/gtest.h>

namespace levee::load {
namespace {

using namespace std::chrono_literals;

// A target that serves everything within 10 ms up to `capacity`, then collapses.
StepResult step(CapacitySearch& s, double capacity) {
  const double rate = *s.next_rate();
  return rate <= capacity ? s.record(1.0, 10ms) : s.record(0.3, 900ms);
}

TEST(CapacitySearch, GrowsGeometricallyThenBisects) {
  CapacitySearch s({100, 2.0, 3, 50'000, 100ms, 0.99});
  std::vector<double> rates;
  while (s.next_rate()) rates.push_back(step(s, 1000).rate);
  // 100 200 400 800 pass, 1600 fails; then 1200 (fail) 1000 (pass) 1100 (fail).
  EXPECT_EQ(rates, (std::vector<double>{100, 200, 400, 800, 1600, 1200, 1000, 1100}));
  EXPECT_EQ(s.capacity(), 1000);
  EXPECT_FALSE(s.hit_max());
}

TEST(CapacitySearch, LatencyBoundFailsAStepEvenIfEverythingIsServed) {
  CapacitySearch s({100, 2.0, 0, 50'000, 50ms, 0.99});
  EXPECT_TRUE(s.record(1.0, 20ms).passed);
  EXPECT_FALSE(s.record(1.0, 60ms).passed);
  EXPECT_FALSE(s.next_rate());
  EXPECT_EQ(s.capacity(), 100);
}

TEST(CapacitySearch, NoPassingStepMeansNoCapacity) {
  CapacitySearch s({100, 1.5, 3, 50'000, 100ms, 0.99});
  s.record(0.5, 2s);
  EXPECT_FALSE(s.next_rate());
  EXPECT_FALSE(s.capacity());
}

TEST(CapacitySearch, StopsAtMaxRate) {
  CapacitySearch s({100, 10.0, 3, 1000, 100ms, 0.99});
  while (s.next_rate()) step(s, 1e9);
  EXPECT_EQ(s.capacity(), 1000);
  EXPECT_TRUE(s.hit_max());
}

}  // namespace
}  // namespace levee::load
