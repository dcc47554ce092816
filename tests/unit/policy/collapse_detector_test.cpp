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


// Windows of finished exchanges, some of them abandoned by their callers: the collapse whose
// queue is inside the service, which completes at full rate for callers who already left.
class AbandonmentTest : public ::testing::Test {
 protected:
  AbandonmentTest() : detector(settings(), clock.now()) {}
  static CollapseSettings settings() {
    CollapseSettings s;
    s.window = 1s;
    s.recovery_windows = 3;
    s.abandoned_share = 0.25;
    return s;
  }
  // One second of 10 ticks: `rate` exchanges per second finish, `share` of them abandoned,
  // the rest successes.
  bool window(double rate, double share, bool busy, bool release_safe = false) {
    bool changed = false;
    for (int i = 0; i < 10; ++i) {
      clock.advance(100ms);
      const auto finished_now = static_cast<std::uint64_t>(rate / 10);
      const auto abandoned_now = static_cast<std::uint64_t>(rate / 10 * share);
      finished += finished_now;
      abandoned += abandoned_now;
      successes += finished_now - abandoned_now;
      CollapseDetector::Tick tick;
      tick.successes = successes;
      tick.busy = busy;
      tick.abandoned = abandoned;
      tick.finished = finished;
      tick.release_safe = release_safe;
      tick.service_slow = false;
      changed = detector.on_tick(clock.now(), tick) || changed;
    }
    return changed;
  }

  testing::ManualClock clock;
  CollapseDetector detector;
  std::uint64_t successes = 0, abandoned = 0, finished = 0;
};

TEST_F(AbandonmentTest, CallersLeavingIsACollapseEvenAtFullRate) {
  window(400, 0, true);
  EXPECT_EQ(detector.mode(), Mode::normal);
  // The service still finishes 400 a second -- and half the callers have left by then. No
  // waits at levee, no goodput fall a busy-and-waiting rule would see: only the share.
  EXPECT_TRUE(window(400, 0.5, false));
  EXPECT_EQ(detector.mode(), Mode::recovery);
  EXPECT_EQ(detector.cause(), CollapseDetector::Cause::abandoned);
  EXPECT_NEAR(detector.last_abandoned_share(), 0.5, 0.01);
  EXPECT_NEAR(detector.last_finished_rate(), 400, 1);
}

TEST_F(AbandonmentTest, AFewAbandonedExchangesAreNot) {
  window(400, 0.2, true);  // under the share
  window(16, 0.5, true);   // over it, but four exchanges in a window are noise
  EXPECT_EQ(detector.mode(), Mode::normal);
}

TEST_F(AbandonmentTest, TheClampHoldsWhileTheSameDemandIsThere) {
  window(400, 0.6, true);
  ASSERT_EQ(detector.mode(), Mode::recovery);
  // The clamp works: callers are served again. But the group is still busy, and the limit a
  // release would restore is far above the clamp (a fixed 200 on 4 slots): stay.
  for (int i = 0; i < 10; ++i) window(400, 0, true, false);
  EXPECT_EQ(detector.mode(), Mode::recovery);
  // The demand falls below the clamp: three healthy windows and recovery ends.
  window(100, 0, false);
  window(100, 0, false);
  EXPECT_EQ(detector.mode(), Mode::recovery);
  EXPECT_TRUE(window(100, 0, false));
  EXPECT_EQ(detector.mode(), Mode::normal);
  EXPECT_EQ(detector.cause(), CollapseDetector::Cause::none);
}

TEST_F(AbandonmentTest, AnAdaptiveLimitNearTheClampIsReleasedUnderLoad) {
  window(400, 0.6, true);
  ASSERT_EQ(detector.mode(), Mode::recovery);
  for (int i = 0; i < 3; ++i) window(400, 0, true, /*release_safe=*/true);
  EXPECT_EQ(detector.mode(), Mode::normal);
}

TEST_F(AbandonmentTest, CallersStillLeavingKeepItInRecovery) {
  window(400, 0.6, true);
  ASSERT_EQ(detector.mode(), Mode::recovery);
  for (int i = 0; i < 5; ++i) window(100, 0.2, false);  // demand gone, but a fifth abandoned
  EXPECT_EQ(detector.mode(), Mode::recovery);
}

TEST_F(CollapseDetectorTest, AGoodputFallWithAFastServiceIsTheLimitNotACollapse) {
  window(1000, true, false);
  // Goodput halves while busy and queueing, but the service's own time is at its baseline:
  // a limit algorithm has lowered the limit, and a clamp would only pin it there.
  for (int i = 0; i < 10; ++i) {
    clock.advance(100ms);
    successes += 50;
    CollapseDetector::Tick tick;
    tick.successes = successes;
    tick.busy = true;
    tick.waits_high = true;
    tick.service_slow = false;
    detector.on_tick(clock.now(), tick);
  }
  EXPECT_EQ(detector.mode(), Mode::normal);
}

// The plumbing ticks every few ms while a group is busy and every 100 ms while it is not: a
// window's signals are shares of its time, not of its ticks. A window of 50 fast ticks (a
// quarter of a second, busy and waiting) and 8 slow ones; goodput falls to 400 a second.
class MixedTickRatesTest : public CollapseDetectorTest {
 protected:
  // `count` ticks `every` apart, `per_tick` successes each; returns whether the mode changed.
  bool ticks(int count, Duration every, std::uint64_t per_tick, bool busy) {
    bool changed = false;
    for (int i = 0; i < count; ++i) {
      clock.advance(every);
      successes += per_tick;
      changed = detector.on_tick(clock.now(), {successes, busy, busy}) || changed;
    }
    return changed;
  }
  bool mixed_window(bool busy_when_slow) {
    const bool fast = ticks(50, 5ms, 2, true);
    return ticks(8, 100ms, 40, busy_when_slow) || fast;
  }
};

TEST_F(MixedTickRatesTest, BusyForAQuarterOfTheTimeIsNotBusyThoughMostTicksWere) {
  window(1000, true, false);
  EXPECT_FALSE(mixed_window(false));  // 86% of the ticks, 24% of the time
  EXPECT_EQ(detector.windows(), 2u);
  EXPECT_EQ(detector.mode(), Mode::normal);
}

TEST_F(MixedTickRatesTest, BusyAllTheTimeAtMixedRatesIsAFall) {
  window(1000, true, false);
  EXPECT_TRUE(mixed_window(true));
  EXPECT_EQ(detector.mode(), Mode::recovery);
}

}  // namespace
}  // namespace levee::policy
