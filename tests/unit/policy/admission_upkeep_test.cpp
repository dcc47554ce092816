// Admission's upkeep (admission_upkeep.cpp): the tick's pace, drain, reconfigure, the snapshot,
// Retry-After.
#include "proxy/policy/admission.h"

#include <gtest/gtest.h>

#include "tests/unit/policy/admission_harness.h"

namespace levee::policy::test {
namespace {

TEST(Admission, NeedsFastTicksOnlyAtItsLimitOrWithWaiters) {
  AdmissionHarness h(plain_settings(2));
  const auto fast = [&] { return h.admission().needs_fast_ticks(); };
  EXPECT_FALSE(fast());  // idle
  h.fill(1, 1);
  EXPECT_FALSE(fast());  // under its limit
  h.fill(2, 1);
  EXPECT_TRUE(fast());  // at its limit
  ASSERT_TRUE(h.admit(3).queued());
  h.complete(1);  // the waiter takes the slot: at the limit still
  EXPECT_TRUE(fast());
  h.complete(2);
  h.complete(3);
  EXPECT_FALSE(fast());
  h.fill(4, 2);
  ASSERT_TRUE(h.admit(6).queued());
  h.advance(2s);
  h.tick();  // past max_wait: the waiter is shed, the two permits still run
  EXPECT_TRUE(fast());
  h.complete(4);
  EXPECT_FALSE(fast());
}

TEST(Admission, DrainShedsWaitersAndLaterArrivalsThatWouldWait) {
  AdmissionHarness h(plain_settings(1));
  h.fill(1, 1);
  ASSERT_TRUE(h.admit(2).queued());
  const Effects effects = h.drain();
  ASSERT_EQ(effects.shed.size(), 1u);
  EXPECT_EQ(effects.shed[0], (Shed{2, ShedReason::draining}));
  EXPECT_EQ(h.admit(3).reason, ShedReason::draining);
  EXPECT_TRUE(h.snapshot().draining);
  EXPECT_TRUE(h.complete(1).empty());  // in-flight requests finish normally
  EXPECT_EQ(h.snapshot().in_flight, 0u);
  // A request on a connection accepted before the listener closed, finding a free permit,
  // is served: the drain fails nobody it can still serve.
  EXPECT_TRUE(h.admit(4).admitted());
  EXPECT_EQ(h.admit(5).reason, ShedReason::draining);
}

TEST(Admission, RaisingTheLimitOnReconfigureGrantsWaiters) {
  AdmissionSettings s = plain_settings(1);
  AdmissionHarness h(s);
  h.fill(1, 1);
  ASSERT_TRUE(h.admit(2).queued());
  ASSERT_TRUE(h.admit(3).queued());
  s.limit.initial = 3;
  const Effects effects = h.reconfigure(s);
  EXPECT_EQ(effects.granted.size(), 2u);
  EXPECT_EQ(h.snapshot().limit, 3u);
}

TEST(Admission, ShrinkingTheQueueShedsTheLowestWaiters) {
  AdmissionSettings s = plain_settings(1, 4);
  AdmissionHarness h(s);
  h.fill(1, 1);
  ASSERT_TRUE(h.admit(2, Priority::critical).queued());
  ASSERT_TRUE(h.admit(3, Priority::sheddable).queued());
  ASSERT_TRUE(h.admit(4).queued());
  s.queue.max_length = 1;
  h.reconfigure(s);
  EXPECT_EQ(h.shed_reason(3), ShedReason::queue_full);
  EXPECT_EQ(h.shed_reason(4), ShedReason::queue_full);
  EXPECT_EQ(h.snapshot().queue_length, 1u);
}

TEST(Admission, ReconfigureKeepsALearnedAdaptiveLimit) {
  AdmissionSettings s = plain_settings(1);
  s.limit.kind = LimitKind::aimd;
  s.limit.initial = 20;
  s.limit.min = 1;
  AdmissionHarness h(s);
  h.fill(1, 1);
  h.complete(1, Outcome::dropped);  // 20 -> 18
  ASSERT_EQ(h.snapshot().limit, 18u);
  s.queue.max_length = 3;  // unrelated change
  h.reconfigure(s);
  EXPECT_EQ(h.snapshot().limit, 18u);
  s.limit.max = 10;  // bounds change: kept value is clamped
  h.reconfigure(s);
  EXPECT_EQ(h.snapshot().limit, 10u);
}

TEST(Admission, ADroppedSampleLowersAnAdaptiveLimitAndItsReserve) {
  AdmissionSettings s = plain_settings(1);
  s.limit.kind = LimitKind::aimd;
  s.limit.initial = 10;
  s.limit.min = 2;
  s.limit.aimd.backoff_ratio = 0.5;
  s.critical_reserved_share = 0.2;
  AdmissionHarness h(s);
  h.fill(1, 1);
  h.complete(1, Outcome::dropped);
  const Snapshot snap = h.snapshot();
  EXPECT_EQ(snap.limit, 5u);
  EXPECT_EQ(snap.limit_algorithm, 5u);
  EXPECT_EQ(snap.limit_min, 2u);
}

// The floor the "limit pinned at min" alert compares against: only an adaptive limit has one.
TEST(Admission, SnapshotShowsTheAdaptiveFloorAndNoneForAFixedLimit) {
  AdmissionSettings s = plain_settings(4);
  s.limit.min = 2;
  EXPECT_EQ(AdmissionHarness(s).snapshot().limit_min, 0u);
  s.limit.kind = LimitKind::knee;
  EXPECT_EQ(AdmissionHarness(s).snapshot().limit_min, 2u);
}

TEST(Admission, RetryAfterFollowsTheQueueDrainTime) {
  AdmissionSettings s = plain_settings(2, 100);
  s.retry_after_min = 1s;
  s.retry_after_max = 30s;
  s.estimate_window = 100ms;
  s.queue.max_wait = 60s;
  AdmissionHarness h(s);
  EXPECT_EQ(h.snapshot().retry_after, 1s);  // no estimate yet: the floor
  h.fill(1, 2);
  h.advance(1s);  // service time 1 s
  h.complete(1);
  h.complete(2);
  h.tick();
  ASSERT_EQ(h.snapshot().service_time, 1s);
  EXPECT_DOUBLE_EQ(h.snapshot().drain_rate, 2.0);
  h.fill(3, 2);
  for (TicketId id = 10; id < 19; ++id) ASSERT_TRUE(h.admit(id).queued());
  EXPECT_EQ(h.snapshot().retry_after, 5s);  // (9 + 1) waiters / 2 per second
}

}  // namespace
}  // namespace levee::policy::test
