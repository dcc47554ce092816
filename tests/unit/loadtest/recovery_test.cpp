#include "stats/recovery.h"

#include <gtest/gtest.h>

#include <string>

namespace levee::load {
namespace {

using namespace std::chrono_literals;

// A synthetic series, one character per 100 ms bucket: 'g' good (all served, 10 ms),
// 'b' bad (10% served), 's' slow (all served, 500 ms).
Series series_of(const std::string& pattern) {
  Series s;
  s.bucket = 100ms;
  for (char c : pattern) {
    SlotStats b;
    b.counters.offered = 100;
    b.counters.goodput = c == 'b' ? 10 : 100;
    Nanos latency = c == 's' ? Nanos(500ms) : Nanos(10ms);
    for (int i = 0; i < 100; ++i) b.latency.record(latency);
    s.buckets.push_back(std::move(b));
  }
  return s;
}

const RecoveryBaseline baseline{1.0, 10ms};
const RecoveryConfig config{1s, 0.95, 1s};

TEST(Recovery, BoundIsTwiceOrPlusFiveMilliseconds) {
  EXPECT_EQ(recovery_p99_bound(10ms), Nanos(20ms));
  EXPECT_EQ(recovery_p99_bound(2ms), Nanos(7ms));
}

TEST(Recovery, RecoversAfterTheBacklogDrains) {
  // Overload ends at 1 s (bucket 10); bad until 2.5 s, then good for 3 s.
  Series s = series_of(std::string(25, 'b') + std::string(30, 'g'));
  RecoveryResult r = compute_recovery(s, 1s, baseline, config);
  ASSERT_TRUE(r.time);
  EXPECT_EQ(*r.time, Nanos(1500ms));
  EXPECT_EQ(*r.recovered_at, Nanos(2500ms));
}

TEST(Recovery, ImmediateWhenGoodRightAfterOverload) {
  Series s = series_of(std::string(10, 'b') + std::string(30, 'g'));
  RecoveryResult r = compute_recovery(s, 1s, baseline, config);
  ASSERT_TRUE(r.time);
  EXPECT_EQ(*r.time, Nanos(0));
}

TEST(Recovery, NeverWhenGoodputStaysDown) {
  Series s = series_of(std::string(60, 'b'));
  EXPECT_FALSE(compute_recovery(s, 1s, baseline, config).time);
}

TEST(Recovery, NeverWhenLatencyStaysHighEvenIfEverythingIsServed) {
  Series s = series_of(std::string(10, 'b') + std::string(50, 's'));
  EXPECT_FALSE(compute_recovery(s, 1s, baseline, config).time);
}

TEST(Recovery, FlappingShorterThanHoldDoesNotCount) {
  // Good spells of 1 s (10 buckets) separated by bad ones never hold 1 s of good forward windows
  // (that needs 20 good buckets in a row); the final long good spell does.
  std::string flaps;
  for (int i = 0; i < 4; ++i) flaps += std::string(10, 'g') + std::string(3, 'b');
  Series s = series_of(std::string(10, 'b') + flaps + std::string(25, 'g'));
  RecoveryResult r = compute_recovery(s, 1s, baseline, config);
  ASSERT_TRUE(r.time);
  EXPECT_EQ(*r.recovered_at, Nanos((10 + 4 * 13) * 100ms));
}

TEST(Recovery, NeverWhenTheRunEndsBeforeTheHoldIsOver) {
  Series s = series_of(std::string(10, 'b') + std::string(15, 'g'));
  EXPECT_FALSE(compute_recovery(s, 1s, baseline, config).time);
}

TEST(Recovery, ToleranceIsRelativeToTheBaselineRatio) {
  // A baseline that served 50% recovers when windows serve 50% again.
  Series s = series_of(std::string(40, 'b'));
  for (auto& b : s.buckets) b.counters.goodput = 48;
  EXPECT_TRUE(compute_recovery(s, 1s, {0.5, 10ms}, config).time);
  EXPECT_FALSE(compute_recovery(s, 1s, {1.0, 10ms}, config).time);
}

}  // namespace
}  // namespace levee::load
