#include "stats/recovery.h"

#include <gtest/gtest.h>

#include <string>

namespace levee::load {
namespace {

using namespace std::chrono_literals;

// A synthetic series, one character per 100 ms bucket: 'g' good (all served, 10 ms),
// 'b' bad (10% served), 's' slow (all served, 500 ms), 'l' slow because the generator itself was
// 50 ms late (its schedule lag), 'L' bad with the generator late.
Series series_of(const std::string& pattern) {
  Series s;
  s.bucket = 100ms;
  for (char c : pattern) {
    SlotStats b;
    b.counters.offered = 100;
    b.counters.goodput = c == 'b' || c == 'L' ? 10 : 100;
    const bool generator_late = c == 'l' || c == 'L';
    Nanos latency = c == 's' || generator_late ? Nanos(500ms) : Nanos(10ms);
    for (int i = 0; i < 100; ++i) {
      b.latency.record(latency);
      b.lag.record(generator_late ? Nanos(50ms) : Nanos(100us));
    }
    s.buckets.push_back(std::move(b));
  }
  return s;
}

const RecoveryBaseline baseline{1.0, 10ms};
const RecoveryConfig config{1s, 0.95, 1s};
const Nanos max_lag = 5ms;

TEST(Recovery, BoundIsTwiceOrPlusFiveMilliseconds) {
  EXPECT_EQ(recovery_p99_bound(10ms), Nanos(20ms));
  EXPECT_EQ(recovery_p99_bound(2ms), Nanos(7ms));
}

TEST(Recovery, RecoversAfterTheBacklogDrains) {
  // Overload ends at 1 s (bucket 10); bad until 2.5 s, then good for 3 s.
  Series s = series_of(std::string(25, 'b') + std::string(30, 'g'));
  RecoveryResult r = compute_recovery(s, 1s, baseline, config, max_lag);
  ASSERT_TRUE(r.time);
  EXPECT_EQ(*r.time, Nanos(1500ms));
  EXPECT_EQ(*r.recovered_at, Nanos(2500ms));
}

TEST(Recovery, ImmediateWhenGoodRightAfterOverload) {
  Series s = series_of(std::string(10, 'b') + std::string(30, 'g'));
  RecoveryResult r = compute_recovery(s, 1s, baseline, config, max_lag);
  ASSERT_TRUE(r.time);
  EXPECT_EQ(*r.time, Nanos(0));
}

TEST(Recovery, NeverWhenGoodputStaysDown) {
  Series s = series_of(std::string(60, 'b'));
  EXPECT_FALSE(compute_recovery(s, 1s, baseline, config, max_lag).time);
}

TEST(Recovery, NeverWhenLatencyStaysHighEvenIfEverythingIsServed) {
  Series s = series_of(std::string(10, 'b') + std::string(50, 's'));
  EXPECT_FALSE(compute_recovery(s, 1s, baseline, config, max_lag).time);
}

TEST(Recovery, FlappingShorterThanHoldDoesNotCount) {
  // Good spells of 1 s (10 buckets) separated by bad ones never hold 1 s of good forward windows
  // (that needs 20 good buckets in a row); the final long good spell does.
  std::string flaps;
  for (int i = 0; i < 4; ++i) flaps += std::string(10, 'g') + std::string(3, 'b');
  Series s = series_of(std::string(10, 'b') + flaps + std::string(25, 'g'));
  RecoveryResult r = compute_recovery(s, 1s, baseline, config, max_lag);
  ASSERT_TRUE(r.time);
  EXPECT_EQ(*r.recovered_at, Nanos((10 + 4 * 13) * 100ms));
}

TEST(Recovery, NeverWhenTheRunEndsBeforeTheHoldIsOver) {
  Series s = series_of(std::string(10, 'b') + std::string(15, 'g'));
  EXPECT_FALSE(compute_recovery(s, 1s, baseline, config, max_lag).time);
}

TEST(Recovery, ToleranceIsRelativeToTheBaselineRatio) {
  // A baseline that served 50% recovers when windows serve 50% again.
  Series s = series_of(std::string(40, 'b'));
  for (auto& b : s.buckets) b.counters.goodput = 48;
  EXPECT_TRUE(compute_recovery(s, 1s, {0.5, 10ms}, config, max_lag).time);
  EXPECT_FALSE(compute_recovery(s, 1s, {1.0, 10ms}, config, max_lag).time);
}

TEST(Recovery, BucketsWhereTheGeneratorWasLateAreSetAside) {
  // Good from the overload's end, but for 300 ms the generator's own machine stalled: those
  // buckets' latency is the generator's lag, not the target's, and does not break the streak.
  Series s = series_of(std::string(10, 'b') + std::string(5, 'g') + "lll" + std::string(25, 'g'));
  RecoveryResult r = compute_recovery(s, 1s, baseline, config, max_lag);
  ASSERT_TRUE(r.time);
  EXPECT_EQ(*r.time, Nanos(0));
  EXPECT_EQ(r.buckets_set_aside, 3u);
  // The same series with the stall on the target's side (slow, generator on time) recovers
  // only once the slow buckets have left every window.
  Series slow = series_of(std::string(10, 'b') + std::string(5, 'g') + "sss" + std::string(25, 'g'));
  RecoveryResult slow_result = compute_recovery(slow, 1s, baseline, config, max_lag);
  ASSERT_TRUE(slow_result.time);
  EXPECT_EQ(*slow_result.time, Nanos(800ms));
  EXPECT_EQ(slow_result.buckets_set_aside, 0u);
}

TEST(Recovery, NeverWhenTheGeneratorStaysLate) {
  // No window has a bucket to judge: no evidence, no recovery (and the run is invalid anyway).
  Series s = series_of(std::string(10, 'b') + std::string(40, 'l'));
  RecoveryResult r = compute_recovery(s, 1s, baseline, config, max_lag);
  EXPECT_FALSE(r.time);
  EXPECT_EQ(r.buckets_set_aside, 40u);
  // Late and bad buckets are set aside too: what decides is the good buckets around them.
  Series mixed = series_of(std::string(10, 'b') + "LLL" + std::string(30, 'g'));
  EXPECT_EQ(*compute_recovery(mixed, 1s, baseline, config, max_lag).time, Nanos(0));
}

}  // namespace
}  // namespace levee::load
