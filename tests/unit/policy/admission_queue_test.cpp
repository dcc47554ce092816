#include "proxy/policy/admission_queue.h"

#include <gtest/gtest.h>

#include <vector>

#include "tests/fakes/manual_clock.h"

namespace levee::policy {
namespace {

using namespace std::chrono_literals;

class AdmissionQueueTest : public ::testing::Test {
 protected:
  static QueueSettings settings(QueueOrder order) {
    QueueSettings s;
    s.max_length = 8;
    s.order = order;
    s.lifo_after = 100ms;
    s.codel_target = 50ms;
    s.codel_interval = 200ms;
    return s;
  }

  void push(AdmissionQueue& q, TicketId id, Priority p = Priority::normal, FlowId flow = no_flow_key) {
    q.push(QueueEntry{id, p, clock.now(), TimePoint::max()}, q.flow_slot(flow, FlowTraits{}), clock.now());
  }
  static std::size_t ahead(AdmissionQueue& q, Priority p, TimePoint now, FlowId flow = no_flow_key) {
    const std::uint32_t slot = q.flow_slot(flow, FlowTraits{});
    const std::size_t ahead = q.ahead_of(p, slot, now);
    q.forget_if_idle(slot);
    return ahead;
  }
  std::vector<TicketId> drain(AdmissionQueue& q) {
    std::vector<TicketId> order;
    while (!q.empty()) order.push_back(q.pop_next(clock.now()).id);
    return order;
  }

  testing::ManualClock clock;
};

TEST_F(AdmissionQueueTest, FifoServesOldestFirst) {
  AdmissionQueue q(settings(QueueOrder::fifo), clock.now());
  for (TicketId id : {1, 2, 3}) push(q, id);
  EXPECT_EQ(q.order(clock.now()), QueueOrder::fifo);
  EXPECT_EQ(drain(q), (std::vector<TicketId>{1, 2, 3}));
}

TEST_F(AdmissionQueueTest, LifoServesNewestFirst) {
  AdmissionQueue q(settings(QueueOrder::lifo), clock.now());
  for (TicketId id : {1, 2, 3}) push(q, id);
  EXPECT_EQ(drain(q), (std::vector<TicketId>{3, 2, 1}));
}

TEST_F(AdmissionQueueTest, AdaptiveIsFifoWhileDrainingAndLifoOnceStanding) {
  AdmissionQueue q(settings(QueueOrder::adaptive), clock.now());
  push(q, 1);
  push(q, 2);
  clock.advance(99ms);
  EXPECT_EQ(q.order(clock.now()), QueueOrder::fifo);
  EXPECT_EQ(q.pop_next(clock.now()).id, 1u);  // still draining in arrival order
  push(q, 3);
  clock.advance(1ms);  // non-empty for 100 ms without a break: a standing queue
  EXPECT_EQ(q.order(clock.now()), QueueOrder::lifo);
  EXPECT_EQ(q.pop_next(clock.now()).id, 3u);
  EXPECT_EQ(q.pop_next(clock.now()).id, 2u);
  // Emptied: the next burst is served FIFO again.
  push(q, 4);
  push(q, 5);
  EXPECT_EQ(q.order(clock.now()), QueueOrder::fifo);
  EXPECT_EQ(drain(q), (std::vector<TicketId>{4, 5}));
}

TEST_F(AdmissionQueueTest, ForceLifoOverridesOrder) {
  AdmissionQueue q(settings(QueueOrder::fifo), clock.now());
  q.force_lifo(true);
  for (TicketId id : {1, 2}) push(q, id);
  EXPECT_EQ(drain(q), (std::vector<TicketId>{2, 1}));
}

TEST_F(AdmissionQueueTest, HigherClassesAreServedFirst) {
  AdmissionQueue q(settings(QueueOrder::fifo), clock.now());
  push(q, 1, Priority::sheddable);
  push(q, 2, Priority::normal);
  push(q, 3, Priority::critical);
  push(q, 4, Priority::normal);
  EXPECT_EQ(q.size(Priority::normal), 2u);
  EXPECT_EQ(drain(q), (std::vector<TicketId>{3, 2, 4, 1}));
}

TEST_F(AdmissionQueueTest, EraseRemovesAnyEntryOnce) {
  AdmissionQueue q(settings(QueueOrder::fifo), clock.now());
  for (TicketId id : {1, 2, 3}) push(q, id);
  const auto erased = q.erase(2, clock.now());
  ASSERT_TRUE(erased);
  EXPECT_EQ(erased->id, 2u);
  EXPECT_FALSE(q.erase(2, clock.now()));
  EXPECT_FALSE(q.erase(99, clock.now()));
  EXPECT_FALSE(q.contains(2));
  EXPECT_EQ(drain(q), (std::vector<TicketId>{1, 3}));
}

TEST_F(AdmissionQueueTest, NodesAreReusedAcrossManyOperations) {
  AdmissionQueue q(settings(QueueOrder::fifo), clock.now());
  for (TicketId id = 0; id < 10000; ++id) {
    push(q, id);
    if (id % 3 == 0) q.erase(id, clock.now());
    while (q.full()) q.pop_next(clock.now());
  }
  EXPECT_LE(q.size(), 8u);
}

TEST_F(AdmissionQueueTest, LowestIsTheOldestOfTheLowestClass) {
  AdmissionQueue q(settings(QueueOrder::lifo), clock.now());
  push(q, 1, Priority::normal);
  push(q, 2, Priority::sheddable);
  push(q, 3, Priority::sheddable);
  ASSERT_NE(q.peek_lowest(), nullptr);
  EXPECT_EQ(q.pop_lowest(clock.now()).id, 2u);
  EXPECT_EQ(q.pop_lowest(clock.now()).id, 3u);
  EXPECT_EQ(q.pop_lowest(clock.now()).id, 1u);
  EXPECT_EQ(q.peek_lowest(), nullptr);
}

TEST_F(AdmissionQueueTest, AheadCountsWhoIsServedFirst) {
  AdmissionQueue fifo(settings(QueueOrder::fifo), clock.now());
  AdmissionQueue lifo(settings(QueueOrder::lifo), clock.now());
  for (AdmissionQueue* q : {&fifo, &lifo}) {
    push(*q, 1, Priority::critical);
    push(*q, 2, Priority::normal);
    push(*q, 3, Priority::normal);
    push(*q, 4, Priority::sheddable);
  }
  EXPECT_EQ(ahead(fifo, Priority::critical, clock.now()), 1u);
  EXPECT_EQ(ahead(fifo, Priority::normal, clock.now()), 3u);
  EXPECT_EQ(ahead(fifo, Priority::sheddable, clock.now()), 4u);
  EXPECT_EQ(ahead(lifo, Priority::critical, clock.now()), 0u);
  EXPECT_EQ(ahead(lifo, Priority::normal, clock.now()), 1u);
  EXPECT_EQ(ahead(lifo, Priority::sheddable, clock.now()), 3u);
}

TEST_F(AdmissionQueueTest, CodelCongestsOnlyAfterAWholeIntervalAboveTarget) {
  AdmissionQueue q(settings(QueueOrder::fifo), clock.now());
  push(q, 1);
  clock.advance(50ms);  // exactly at the target: fine
  q.observe(clock.now());
  EXPECT_FALSE(q.congested());
  clock.advance(199ms);  // above the target for 199 ms
  q.observe(clock.now());
  EXPECT_FALSE(q.congested());
  clock.advance(1ms);  // ... for the whole 200 ms interval
  q.observe(clock.now());
  EXPECT_TRUE(q.congested());
}

TEST_F(AdmissionQueueTest, CodelIntervalDoesNotDependOnObservationRate) {
  AdmissionQueue q(settings(QueueOrder::fifo), clock.now());
  push(q, 1);
  clock.advance(250ms);  // first look long after the oldest crossed the target at 50 ms
  q.observe(clock.now());
  EXPECT_TRUE(q.congested());
}

TEST_F(AdmissionQueueTest, CodelRestartsTheIntervalWhenTheStandingWaitDips) {
  AdmissionQueue q(settings(QueueOrder::fifo), clock.now());
  push(q, 1);
  clock.advance(90ms);
  push(q, 2);
  clock.advance(10ms);
  EXPECT_EQ(q.pop_next(clock.now()).id, 1u);  // the oldest waiter is now 10 ms old: reset
  clock.advance(239ms);  // 2 (queued at 90 ms) crossed the target at 140 ms: 199 ms above
  q.observe(clock.now());
  EXPECT_FALSE(q.congested());
  clock.advance(1ms);
  q.observe(clock.now());
  EXPECT_TRUE(q.congested());
}

TEST_F(AdmissionQueueTest, CodelKeepsCountingWhileEachOldestStaysAboveTarget) {
  AdmissionQueue q(settings(QueueOrder::fifo), clock.now());
  push(q, 1);
  clock.advance(60ms);
  push(q, 2);
  clock.advance(100ms);
  q.pop_next(clock.now());  // the new oldest (100 ms) is above target too: no dip
  clock.advance(100ms);     // above target since 50 ms: 210 ms
  q.observe(clock.now());
  EXPECT_TRUE(q.congested());
}

TEST_F(AdmissionQueueTest, CongestionEndsWhenTheStandingQueueDissolves) {
  AdmissionQueue q(settings(QueueOrder::fifo), clock.now());
  push(q, 1);
  clock.advance(300ms);
  push(q, 2);
  q.observe(clock.now());
  ASSERT_TRUE(q.congested());
  q.pop_next(clock.now());  // oldest is now 0 ms old (< half the target)
  EXPECT_FALSE(q.congested());

  push(q, 3);
  clock.advance(300ms);
  q.observe(clock.now());
  ASSERT_TRUE(q.congested());
  q.pop_next(clock.now());
  q.pop_next(clock.now());  // empty
  EXPECT_FALSE(q.congested());
}

TEST_F(AdmissionQueueTest, CongestionHoldsWhileWaitsStayNearTarget) {
  AdmissionQueue q(settings(QueueOrder::lifo), clock.now());
  push(q, 1);
  clock.advance(260ms);
  push(q, 2);
  clock.advance(40ms);
  q.observe(clock.now());
  ASSERT_TRUE(q.congested());
  q.erase(1, clock.now());  // the oldest is now 2 at 40 ms: below the target, above half of it
  q.observe(clock.now());
  EXPECT_TRUE(q.congested());
}

// While newcomers are turned away at the bound, a short queue means the bound works, not
// that the overload is over.
TEST_F(AdmissionQueueTest, CongestionHoldsWhileNewcomersAreTurnedAway) {
  AdmissionQueue q(settings(QueueOrder::fifo), clock.now());
  push(q, 1);
  clock.advance(300ms);
  q.observe(clock.now());
  ASSERT_TRUE(q.congested());
  q.note_overload_shed(clock.now());
  q.pop_next(clock.now());  // empty, but someone was turned away just now
  EXPECT_TRUE(q.congested());
  clock.advance(199ms);
  q.observe(clock.now());
  EXPECT_TRUE(q.congested());
  clock.advance(1ms);  // a whole interval without turning anyone away
  q.observe(clock.now());
  EXPECT_FALSE(q.congested());
}

TEST_F(AdmissionQueueTest, AdaptiveServesFifoOnceCongested) {
  AdmissionQueue q(settings(QueueOrder::adaptive), clock.now());
  push(q, 1);
  clock.advance(100ms);
  push(q, 2);
  EXPECT_EQ(q.order(clock.now()), QueueOrder::lifo);  // standing, not yet congested
  clock.advance(150ms);  // 1 above the target since 50 ms: a whole interval
  q.observe(clock.now());
  ASSERT_TRUE(q.congested());
  EXPECT_EQ(q.order(clock.now()), QueueOrder::fifo);
  EXPECT_EQ(q.pop_next(clock.now()).id, 1u);
  q.force_lifo(true);  // recovery mode still wins
  EXPECT_EQ(q.order(clock.now()), QueueOrder::lifo);
}

TEST_F(AdmissionQueueTest, ZeroTargetDisablesCodel) {
  QueueSettings s = settings(QueueOrder::fifo);
  s.codel_target = Duration::zero();
  AdmissionQueue q(s, clock.now());
  push(q, 1);
  clock.advance(10s);
  q.observe(clock.now());
  EXPECT_FALSE(q.congested());
}

TEST_F(AdmissionQueueTest, RemoveIfVisitsInServiceOrderWithPositions) {
  AdmissionQueue q(settings(QueueOrder::fifo), clock.now());
  for (TicketId id : {1, 2, 3, 4}) push(q, id);
  std::vector<std::pair<TicketId, std::size_t>> seen;
  std::vector<TicketId> removed;
  q.remove_if(
      clock.now(),
      [&](const QueueEntry& e, std::size_t position) {
        seen.emplace_back(e.id, position);
        return e.id % 2 == 0;
      },
      [&](const QueueEntry& e) { removed.push_back(e.id); });
  EXPECT_EQ(seen, (std::vector<std::pair<TicketId, std::size_t>>{{1, 0}, {2, 1}, {3, 1}, {4, 2}}));
  EXPECT_EQ(removed, (std::vector<TicketId>{2, 4}));
  EXPECT_EQ(drain(q), (std::vector<TicketId>{1, 3}));
}

}  // namespace
}  // namespace levee::policy
