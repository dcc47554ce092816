#include "proxy/policy/collapse_detector.h"

#include <gtest/gtest.h>

#include "tests/fakes/manual_clock.h"

namespace levee::policy {
namespace {

using namespace std::chrono_literals;

class CollapseDetectorTest : public ::testing::Test {
 protected:
  CollapseDetectorTest() : detector(settings(), clock.now()) {}
  static CollapseSettings settings() {
    CollapseSettings s;
    s.window = 1s;
    s.goodput_drop = 0.3;
    s.busy_fraction = 0.8;
    s.peak_decay = 0.95;
    s.recovery_windows = 3;
    return s;
  }
  // One second of 10 ticks at `rate` successes per second; returns whether the mode changed.
  bool window(double rate, bool busy, bool waits_high) {
    bool changed = false;
    for (int i = 0; i < 10; ++i) {
      clock.advance(100ms);
      successes += static_cast<std::uint64_t>(rate / 10);
      changed = detector.on_tick(clock.now(), {successes, busy, waits_high}) || changed;
    }
    return changed;
  }

  testing::ManualClock clock;
  CollapseDetector detector;
  std::uint64_t successes = 0;
};

TEST_F(CollapseDetectorTest, MeasuresGoodputAndKeepsADecayingPeak) {
  window(1000, true, false);
  EXPECT_NEAR(detector.last_goodput(), 1000, 1e-6);
  EXPECT_NEAR(detector.peak(), 1000, 1e-6);
  window(500, false, false);
  EXPECT_NEAR(detector.peak(), 950, 1e-6);
  EXPECT_EQ(detector.mode(), Mode::normal);
}

TEST_F(CollapseDetectorTest, EntersRecoveryWhenGoodputFallsWhileBusyAndWaiting) {
  window(1000, true, false);
  EXPECT_TRUE(window(600, true, true));
  EXPECT_EQ(detector.mode(), Mode::recovery);
}

TEST_F(CollapseDetectorTest, NeedsAllThreeSignals) {
  window(1000, true, false);
  window(500, false, true);  // demand fell: not collapse
  window(500, true, false);  // no long waits: the service is just slower
  window(700, true, true);   // within 30% of the decayed peak (~900): not a fall
  EXPECT_EQ(detector.mode(), Mode::normal);
}

TEST_F(CollapseDetectorTest, LeavesAfterConsecutiveHealthyWindows) {
  window(1000, true, false);
  window(100, true, true);
  ASSERT_EQ(detector.mode(), Mode::recovery);
  window(900, true, true);   // healthy 1
  window(900, true, true);   // healthy 2
  window(100, true, true);   // relapse resets the count
  window(900, true, true);
  window(900, true, true);
  EXPECT_EQ(detector.mode(), Mode::recovery);
  EXPECT_TRUE(window(900, true, true));
  EXPECT_EQ(detector.mode(), Mode::normal);
}

TEST_F(CollapseDetectorTest, DemandGoneCountsAsHealthy) {
  window(1000, true, false);
  window(100, true, true);
  ASSERT_EQ(detector.mode(), Mode::recovery);
  for (int i = 0; i < 3; ++i) window(50, false, false);
  EXPECT_EQ(detector.mode(), Mode::normal);
}

TEST_F(CollapseDetectorTest, DisablingLeavesRecovery) {
  window(1000, true, false);
  window(100, true, true);
  ASSERT_EQ(detector.mode(), Mode::recovery);
  CollapseSettings s = settings();
  s.enabled = false;
  detector.reconfigure(s);
  EXPECT_EQ(detector.mode(), Mode::normal);
  window(1000, true, false);
  window(100, true, true);
  EXPECT_EQ(detector.mode(), Mode::normal);
}

}  // namespace
}  // namespace levee::policy
