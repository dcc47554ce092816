// Admission on the request path: limit, queue orders, cancellation, priorities, retries.
// The tick's pace, drain, reconfigure, snapshot and Retry-After: admission_upkeep_test.cpp.
#include "proxy/policy/admission.h"

#include <gtest/gtest.h>

#include "tests/unit/policy/admission_harness.h"

namespace levee::policy::test {
namespace {

TEST(Admission, AdmitsUpToTheLimitThenQueues) {
  AdmissionHarness h(plain_settings(2));
  EXPECT_TRUE(h.admit(1).admitted());
  EXPECT_TRUE(h.admit(2).admitted());
  EXPECT_TRUE(h.admit(3).queued());
  const Snapshot s = h.snapshot();
  EXPECT_EQ(s.limit, 2u);
  EXPECT_EQ(s.in_flight, 2u);
  EXPECT_EQ(s.queue_length, 1u);
  EXPECT_EQ(s.counters.queued, 1u);
}

TEST(Admission, DecideNowSettlesWhatNeedsNoQueueAndLeavesTheRestToAdmitOrQueue) {
  testing::ManualClock clock;
  Admission admission(plain_settings(1), clock.now());
  Ticket first;
  first.id = 1;
  const auto admitted = admission.decide_now(first, clock.now());
  ASSERT_TRUE(admitted.has_value());
  EXPECT_TRUE(admitted->admitted());
  Ticket second;
  second.id = 2;
  EXPECT_FALSE(admission.decide_now(second, clock.now()).has_value());  // may queue
  EXPECT_EQ(admission.snapshot(clock.now()).counters.queued, 0u);         // ...but has not
  EXPECT_TRUE(admission.admit_or_queue(second, clock.now()).queued());
  // A freed slot goes to the waiter, not to a newcomer's fast path.
  const auto granted = admission.release(admitted->permit, Outcome::success, clock.now());
  ASSERT_EQ(granted.granted.size(), 1u);
  EXPECT_EQ(granted.granted[0].ticket, 2u);
  Ticket third;
  third.id = 3;
  EXPECT_FALSE(admission.decide_now(third, clock.now()).has_value());
}

TEST(Admission, PermitCarriesStartAndInFlight) {
  AdmissionHarness h(plain_settings(4));
  const Decision first = h.admit(1);
  const Decision second = h.admit(2);
  EXPECT_EQ(first.permit.ticket, 1u);
  EXPECT_EQ(first.permit.start, h.now());
  EXPECT_EQ(first.permit.in_flight, 1u);
  EXPECT_EQ(second.permit.in_flight, 2u);
}

TEST(Admission, ReleasePassesThePermitToTheNextWaiter) {
  AdmissionHarness h(plain_settings(1));
  h.fill(1, 1);
  ASSERT_TRUE(h.admit(2).queued());
  ASSERT_TRUE(h.admit(3).queued());
  h.advance(5ms);
  const Effects effects = h.complete(1);
  ASSERT_EQ(effects.granted.size(), 1u);
  EXPECT_EQ(effects.granted[0].ticket, 2u);
  EXPECT_EQ(effects.granted[0].start, h.now());
  EXPECT_EQ(h.snapshot().in_flight, 1u);
  h.complete(2);
  EXPECT_TRUE(h.holds(3));
  h.complete(3);
  const Snapshot s = h.snapshot();
  EXPECT_EQ(s.in_flight, 0u);
  EXPECT_EQ(s.counters.admitted, 3u);
  EXPECT_EQ(s.counters.admitted_from_queue, 2u);
  EXPECT_EQ(s.counters.succeeded, 3u);
}

TEST(Admission, FifoGrantsInArrivalOrder) {
  AdmissionHarness h(plain_settings(1));
  h.fill(1, 1);
  for (TicketId id : {2, 3, 4}) ASSERT_TRUE(h.admit(id).queued());
  h.complete(1);
  h.complete(2);
  h.complete(3);
  EXPECT_EQ(h.grant_order(), (std::vector<TicketId>{2, 3, 4}));
}

TEST(Admission, LifoGrantsNewestFirst) {
  AdmissionSettings s = plain_settings(1);
  s.queue.order = QueueOrder::lifo;
  AdmissionHarness h(s);
  h.fill(1, 1);
  for (TicketId id : {2, 3, 4}) ASSERT_TRUE(h.admit(id).queued());
  h.complete(1);
  h.complete(4);
  h.complete(3);
  EXPECT_EQ(h.grant_order(), (std::vector<TicketId>{4, 3, 2}));
}

TEST(Admission, AdaptiveOrderSwitchesToLifoWhenTheQueueStands) {
  AdmissionSettings s = plain_settings(1);
  s.queue.order = QueueOrder::adaptive;
  s.queue.lifo_after = 100ms;
  AdmissionHarness h(s);
  h.fill(1, 1);
  for (TicketId id : {2, 3, 4}) ASSERT_TRUE(h.admit(id).queued());
  h.advance(50ms);
  EXPECT_EQ(h.snapshot().queue_order, QueueOrder::fifo);
  h.complete(1);  // FIFO: 2
  ASSERT_TRUE(h.admit(5).queued());
  h.advance(50ms);  // standing for 100 ms
  EXPECT_EQ(h.snapshot().queue_order, QueueOrder::lifo);
  h.complete(2);  // LIFO: 5
  h.complete(5);  // LIFO: 4
  EXPECT_EQ(h.grant_order(), (std::vector<TicketId>{2, 5, 4}));
}

TEST(Admission, WithoutAQueueTheExcessIsRejectedAtOnce) {
  AdmissionHarness h(plain_settings(1, 0));
  h.fill(1, 1);
  const Decision d = h.admit(2);
  ASSERT_TRUE(d.rejected());
  EXPECT_EQ(d.reason, ShedReason::over_limit);
  EXPECT_EQ(h.snapshot().counters.shed_total(ShedReason::over_limit), 1u);
}

TEST(Admission, AFullQueueRejects) {
  AdmissionHarness h(plain_settings(1, 2));
  h.fill(1, 1);
  ASSERT_TRUE(h.admit(2).queued());
  ASSERT_TRUE(h.admit(3).queued());
  const Decision d = h.admit(4);
  ASSERT_TRUE(d.rejected());
  EXPECT_EQ(d.reason, ShedReason::queue_full);
}

TEST(Admission, MaxWaitShedsOnTick) {
  AdmissionHarness h(plain_settings(1));
  h.fill(1, 1);
  ASSERT_TRUE(h.admit(2).queued());
  h.advance(500ms);
  ASSERT_TRUE(h.admit(3).queued());
  h.advance(500ms);
  EXPECT_TRUE(h.tick().empty());  // exactly max_wait: still fine
  h.advance(1ms);
  const Effects effects = h.tick();
  ASSERT_EQ(effects.shed.size(), 1u);
  EXPECT_EQ(effects.shed[0], (Shed{2, ShedReason::queue_timeout}));
  h.complete(1);
  EXPECT_TRUE(h.holds(3));
}

TEST(Admission, ExpiredWaitersAreSkippedWhenAPermitFrees) {
  AdmissionHarness h(plain_settings(1));
  h.fill(1, 1);
  ASSERT_TRUE(h.admit(2).queued());
  h.advance(600ms);
  ASSERT_TRUE(h.admit(3).queued());
  h.advance(600ms);  // 2 is past max wait, but no tick has run
  const Effects effects = h.complete(1);
  EXPECT_EQ(h.shed_reason(2), ShedReason::queue_timeout);
  ASSERT_EQ(effects.granted.size(), 1u);
  EXPECT_EQ(effects.granted[0].ticket, 3u);
}

TEST(Admission, CancelRemovesAWaiterAsClientGone) {
  AdmissionHarness h(plain_settings(1));
  h.fill(1, 1);
  ASSERT_TRUE(h.admit(2).queued());
  ASSERT_TRUE(h.admit(3).queued());
  const Effects effects = h.cancel(2);
  ASSERT_EQ(effects.shed.size(), 1u);
  EXPECT_EQ(effects.shed[0], (Shed{2, ShedReason::client_gone}));
  EXPECT_EQ(h.snapshot().queue_length, 1u);
  h.complete(1);
  EXPECT_FALSE(h.holds(2));  // never reaches the service
  EXPECT_TRUE(h.holds(3));
  EXPECT_EQ(h.snapshot().counters.shed_total(ShedReason::client_gone), 1u);
}

TEST(Admission, CancelOfAnUnqueuedTicketDoesNothing) {
  AdmissionHarness h(plain_settings(1));
  h.fill(1, 1);
  EXPECT_TRUE(h.cancel(1).empty());   // admitted: the permit holder must release it
  EXPECT_TRUE(h.cancel(42).empty());  // unknown
  EXPECT_EQ(h.snapshot().in_flight, 1u);
}

TEST(Admission, IgnoredAndDroppedOutcomesReleaseToo) {
  AdmissionHarness h(plain_settings(2));
  h.fill(1, 2);
  h.complete(1, Outcome::ignored);
  h.complete(2, Outcome::dropped);
  const Snapshot s = h.snapshot();
  EXPECT_EQ(s.in_flight, 0u);
  EXPECT_EQ(s.counters.ignored, 1u);
  EXPECT_EQ(s.counters.dropped, 1u);
}

TEST(Admission, CriticalTrafficKeepsAReservedShare) {
  AdmissionSettings s = plain_settings(10);
  s.critical_reserved_share = 0.2;  // 2 of 10 slots
  AdmissionHarness h(s);
  ASSERT_TRUE(h.admit(20, Priority::critical).admitted());  // closes the reserve
  h.complete(20);
  h.fill(1, 8);
  EXPECT_TRUE(h.admit(9).queued());  // normal traffic stops at 8
  EXPECT_TRUE(h.admit(10, Priority::critical).admitted());
  EXPECT_TRUE(h.admit(11, Priority::critical).admitted());
  EXPECT_TRUE(h.admit(12, Priority::critical).queued());
  EXPECT_EQ(h.snapshot().in_flight, 10u);
}

// A reserve nobody uses is capacity thrown away: between critical callers it is lent out.
TEST(Admission, TheReserveIsLentOutWhileNoCriticalCallerIsAround) {
  AdmissionSettings s = plain_settings(4);
  s.critical_reserved_share = 0.25;  // normal cap 3 while reserved
  AdmissionHarness h(s);
  h.fill(1, 4);  // no critical caller yet: the whole limit
  ASSERT_TRUE(h.admit(5, Priority::critical).queued());  // waits at the head for the next slot
  ASSERT_TRUE(h.admit(6).queued());
  h.complete(1);
  EXPECT_TRUE(h.holds(5));
  h.complete(2);  // normal in flight 2 (3, 4) + critical 5: the normal share (3) is full
  EXPECT_FALSE(h.holds(6));
  h.complete(5);
  EXPECT_TRUE(h.holds(6));
  h.advance(1001ms);  // a second without critical callers: lent out again
  EXPECT_TRUE(h.admit(7).admitted());
  EXPECT_EQ(h.snapshot().in_flight, 4u);
}

TEST(Admission, ReserveAlwaysLeavesASlotForOthers) {
  AdmissionSettings s = plain_settings(1);
  s.critical_reserved_share = 0.5;
  AdmissionHarness h(s);
  EXPECT_TRUE(h.admit(1).admitted());
}

TEST(Admission, CriticalWaitersAreServedFirst) {
  AdmissionHarness h(plain_settings(1));
  h.fill(1, 1);
  ASSERT_TRUE(h.admit(2, Priority::sheddable).queued());
  ASSERT_TRUE(h.admit(3, Priority::normal).queued());
  ASSERT_TRUE(h.admit(4, Priority::critical).queued());
  h.complete(1);
  h.complete(4);
  h.complete(3);
  EXPECT_EQ(h.grant_order(), (std::vector<TicketId>{4, 3, 2}));
}

TEST(Admission, AFreedReservedSlotGoesOnlyToCriticalWaiters) {
  AdmissionSettings s = plain_settings(4);
  s.critical_reserved_share = 0.25;  // normal cap 3
  AdmissionHarness h(s);
  h.fill(1, 3);
  ASSERT_TRUE(h.admit(4, Priority::critical).admitted());
  ASSERT_TRUE(h.admit(5).queued());
  ASSERT_TRUE(h.admit(6, Priority::critical).queued());
  h.complete(4);  // in flight 3: only the critical waiter fits
  EXPECT_TRUE(h.holds(6));
  EXPECT_FALSE(h.holds(5));
  h.complete(1);  // 2, 3 and 6 in flight: the normal share (3) is still full
  EXPECT_FALSE(h.holds(5));
  h.complete(2);
  EXPECT_TRUE(h.holds(5));
}

TEST(Admission, AFullQueueDisplacesTheOldestLowerClassWaiter) {
  AdmissionHarness h(plain_settings(1, 2));
  h.fill(1, 1);
  ASSERT_TRUE(h.admit(2, Priority::sheddable).queued());
  ASSERT_TRUE(h.admit(3, Priority::sheddable).queued());
  const Decision d = h.admit(4, Priority::normal);
  ASSERT_TRUE(d.queued());
  ASSERT_EQ(d.effects.shed.size(), 1u);
  EXPECT_EQ(d.effects.shed[0], (Shed{2, ShedReason::priority}));
  // An equal class does not displace.
  EXPECT_EQ(h.admit(5, Priority::sheddable).reason, ShedReason::queue_full);
  EXPECT_EQ(h.snapshot().counters.shed[index(Priority::sheddable)][index(ShedReason::priority)],
            1u);
}

TEST(Admission, CodelShedsStaleWaitersAndRefusesSheddableWhileCongested) {
  AdmissionSettings s = plain_settings(1);
  s.queue.codel_target = 50ms;
  s.queue.codel_interval = 100ms;
  s.queue.max_wait = 10s;
  AdmissionHarness h(s);
  h.fill(1, 1);
  ASSERT_TRUE(h.admit(2).queued());
  EXPECT_TRUE(h.admit(3, Priority::sheddable).queued());  // not congested yet
  h.advance(170ms);
  ASSERT_TRUE(h.admit(4).queued());
  h.advance(30ms);
  h.tick();  // the oldest has been above 50 ms since 50 ms: a whole interval
  ASSERT_TRUE(h.snapshot().codel_overloaded);
  EXPECT_EQ(h.shed_reason(2), ShedReason::stale);
  EXPECT_EQ(h.shed_reason(3), ShedReason::stale);
  EXPECT_FALSE(h.shed_reason(4));  // 30 ms old: younger than the target
  const Decision d = h.admit(5, Priority::sheddable);
  ASSERT_TRUE(d.rejected());
  EXPECT_EQ(d.reason, ShedReason::priority);
  EXPECT_TRUE(h.admit(6).queued());  // normal traffic still queues
  h.complete(1);
  EXPECT_TRUE(h.holds(4));
}

// Once the queue stands, it holds only what drains within half the target; everyone else is
// answered at the door instead of waiting to be shed as stale.
TEST(Admission, ACongestedQueueTurnsAwayWhatWouldNotStartInTime) {
  AdmissionSettings s = plain_settings(2, 100);
  s.queue.codel_target = 50ms;
  s.queue.codel_interval = 100ms;
  s.queue.max_wait = 10s;
  s.estimate_window = 100ms;
  AdmissionHarness h(s);
  h.fill(1, 2);
  h.advance(10ms);  // service time 10 ms: drains 2 per 10 ms, 5 within 25 ms
  h.complete(1);
  h.complete(2);
  h.run_ticks(100ms);
  ASSERT_EQ(h.snapshot().service_time, 10ms);
  h.fill(3, 2);
  for (TicketId id = 10; id < 20; ++id) ASSERT_TRUE(h.admit(id).queued());  // not congested
  h.run_ticks(200ms);  // standing above the target for a whole interval
  ASSERT_TRUE(h.snapshot().codel_overloaded);
  EXPECT_EQ(h.snapshot().queue_length, 0u);  // all older than the target: stale
  for (TicketId id = 20; id < 25; ++id) ASSERT_TRUE(h.admit(id).queued()) << id;
  const Decision d = h.admit(25);
  ASSERT_TRUE(d.rejected());
  EXPECT_EQ(d.reason, ShedReason::queue_full);
  EXPECT_TRUE(h.admit(26, Priority::critical).queued());  // displaces a lower class
  EXPECT_EQ(h.snapshot().queue_length, 5u);
}

TEST(Admission, RetriesAreAdmittedOnlyBelowTheLimit) {
  AdmissionHarness h(plain_settings(2));
  EXPECT_TRUE(h.admit(1, TicketSpec{.retry = true}).admitted());
  h.fill(2, 1);
  const Decision d = h.admit(3, TicketSpec{.retry = true});
  ASSERT_TRUE(d.rejected());  // never queued
  EXPECT_EQ(d.reason, ShedReason::retry_shed);
  EXPECT_EQ(h.snapshot().queue_length, 0u);
}

TEST(Admission, RetriesNeverGoAheadOfQueuedFirstAttempts) {
  AdmissionSettings s = plain_settings(4);
  s.critical_reserved_share = 0.25;
  AdmissionHarness h(s);
  ASSERT_TRUE(h.admit(10, Priority::critical).admitted());  // closes the reserve
  h.complete(10);
  h.fill(1, 3);
  ASSERT_TRUE(h.admit(4).queued());  // a first attempt waits (normal cap reached)
  // A critical retry would fit in the reserve, but a first attempt is waiting.
  const Decision d = h.admit(5, TicketSpec{.priority = Priority::critical, .retry = true});
  ASSERT_TRUE(d.rejected());
  EXPECT_EQ(d.reason, ShedReason::retry_shed);
  // A critical first attempt may use the reserve.
  EXPECT_TRUE(h.admit(6, Priority::critical).admitted());
}

TEST(Admission, InboundRetryBudgetShedsRetriesBeyondTheRatio) {
  AdmissionSettings s = plain_settings(100);
  s.retry_budget_enabled = true;
  s.retry_budget.ratio = 0.5;
  s.retry_budget.min_per_second = 0;
  AdmissionHarness h(s);
  h.fill(1, 4);  // 4 first attempts: 2 retry tokens
  EXPECT_TRUE(h.admit(10, TicketSpec{.retry = true}).admitted());
  EXPECT_TRUE(h.admit(11, TicketSpec{.retry = true}).admitted());
  const Decision d = h.admit(12, TicketSpec{.retry = true});
  ASSERT_TRUE(d.rejected());
  EXPECT_EQ(d.reason, ShedReason::retry_budget);
}

TEST(Admission, RetryShedForLoadDoesNotSpendTheBudget) {
  AdmissionSettings s = plain_settings(1);
  s.retry_budget_enabled = true;
  s.retry_budget.ratio = 0;
  s.retry_budget.min_per_second = 0.1;  // one token per 10 s window
  AdmissionHarness h(s);
  h.fill(1, 1);
  EXPECT_EQ(h.admit(2, TicketSpec{.retry = true}).reason, ShedReason::retry_shed);
  h.complete(1);
  EXPECT_TRUE(h.admit(3, TicketSpec{.retry = true}).admitted());
}

}  // namespace
}  // namespace levee::policy::test
