// Fair admission: how one group's limit is shared among flows (admission.h, admission_queue.h,
// fairness.h), driven with a manual clock.
#include <gtest/gtest.h>

#include <algorithm>
#include <initializer_list>

#include "tests/unit/policy/admission_harness.h"

namespace levee::policy::test {
namespace {

constexpr FlowId tenant_a = 1001;
constexpr FlowId tenant_b = 2002;
constexpr FlowId tenant_c = 3003;

AdmissionSettings fair_settings(std::uint32_t limit, std::uint32_t queue_length = 8) {
  AdmissionSettings s = plain_settings(limit, queue_length);
  s.fairness.key = {FlowKeySource{FlowKeyPart::header, "X-Tenant"}};
  return s;
}

// Keys get a share of their own once seen before: let the group see each key once.
void introduce(AdmissionHarness& h, std::initializer_list<FlowId> flows, TicketId& next_id) {
  for (const FlowId flow : flows) {
    const TicketId id = next_id++;
    ASSERT_TRUE(h.admit(id, TicketSpec{.flow = flow}).admitted());
    h.complete(id);
  }
}

class Fairness : public ::testing::Test {
 protected:
  TicketId next_ = 1;
  TicketId id() { return next_++; }
  Decision admit(AdmissionHarness& h, FlowId flow, TicketSpec spec = {}) {
    spec.flow = flow;
    return h.admit(id(), spec);
  }
  std::size_t held_by(AdmissionHarness& h, const std::vector<TicketId>& ids) {
    return static_cast<std::size_t>(std::count_if(ids.begin(), ids.end(), [&](TicketId t) { return h.holds(t); }));
  }
};

TEST_F(Fairness, AFlowAloneMayUseTheWholeLimit) {
  AdmissionHarness h(fair_settings(4));
  introduce(h, {tenant_a}, next_);
  for (int i = 0; i < 4; ++i) EXPECT_TRUE(admit(h, tenant_a).admitted());
  EXPECT_TRUE(admit(h, tenant_a).queued());
  EXPECT_EQ(h.snapshot().in_flight, 4u);
}

TEST_F(Fairness, AWaitingLightFlowIsServedBeforeTheHeavyFlowsOlderWaiters) {
  AdmissionHarness h(fair_settings(4));
  introduce(h, {tenant_a, tenant_b}, next_);
  std::vector<TicketId> a;
  for (int i = 0; i < 7; ++i) {
    a.push_back(next_);
    admit(h, tenant_a);
  }
  const TicketId b = next_;
  ASSERT_TRUE(admit(h, tenant_b).queued());
  h.complete(a[0]);
  EXPECT_TRUE(h.holds(b));             // B (nothing in flight) before A's three older waiters
  EXPECT_FALSE(h.holds(a[4]));
  h.complete(a[1]);
  EXPECT_TRUE(h.holds(a[4]));          // then A's waiters in their order
}

TEST_F(Fairness, WithoutAKeyEveryoneIsOneFlowInArrivalOrder) {
  AdmissionHarness h(plain_settings(1));
  h.fill(1, 1);
  ASSERT_TRUE(h.admit(2, TicketSpec{.flow = tenant_a}).queued());
  ASSERT_TRUE(h.admit(3, TicketSpec{.flow = tenant_b}).queued());
  h.complete(1);
  EXPECT_TRUE(h.holds(2));
  EXPECT_FALSE(h.snapshot().fair);
}

TEST_F(Fairness, AFullQueueShedsTheHeaviestFlowsOldestWaiterForALighterFlow) {
  AdmissionHarness h(fair_settings(2, 3));
  introduce(h, {tenant_a, tenant_b}, next_);
  std::vector<TicketId> a;
  for (int i = 0; i < 5; ++i) {
    a.push_back(next_);
    admit(h, tenant_a);
  }
  ASSERT_TRUE(h.holds(a[0]) && h.holds(a[1]));  // 2 in flight, 3 waiting: full
  const TicketId b = next_;
  EXPECT_TRUE(admit(h, tenant_b).queued());
  EXPECT_EQ(h.shed_reason(a[2]), ShedReason::fair_share);
  // A again: A is the heaviest and B waits, so A's own request goes, as fair_share.
  EXPECT_EQ(admit(h, tenant_a).reason, ShedReason::fair_share);
  h.complete(a[0]);
  EXPECT_TRUE(h.holds(b));
  const Snapshot s = h.snapshot();
  EXPECT_EQ(s.counters.shed_total(ShedReason::fair_share), 2u);
}

TEST_F(Fairness, ALoneFlowAtAFullQueueIsShedAsQueueFull) {
  AdmissionHarness h(fair_settings(1, 1));
  introduce(h, {tenant_a}, next_);
  admit(h, tenant_a);
  ASSERT_TRUE(admit(h, tenant_a).queued());
  EXPECT_EQ(admit(h, tenant_a).reason, ShedReason::queue_full);
}

TEST_F(Fairness, WeightsShareAContendedLimitInProportion) {
  AdmissionSettings s = fair_settings(8, 256);
  s.fairness.flows = {NamedFlowSettings{"gold", "acme", 3, 0}};
  AdmissionHarness h(s);
  introduce(h, {tenant_b}, next_);
  std::vector<TicketId> gold;
  std::vector<TicketId> other;
  // Both flows keep a backlog; every permit that comes back goes to whoever is furthest
  // below its weighted share.
  for (int i = 0; i < 100; ++i) {
    gold.push_back(next_);
    admit(h, tenant_a, TicketSpec{.named = 1});
    other.push_back(next_);
    admit(h, tenant_b);
  }
  for (int round = 0; round < 6; ++round) {
    for (const TicketId t : h.held()) h.complete(t);
  }
  EXPECT_EQ(held_by(h, gold), 6u);   // 8 x 3/4
  EXPECT_EQ(held_by(h, other), 2u);  // 8 x 1/4
}

TEST_F(Fairness, ANamedFlowAtItsCapIsShedEvenWithRoomToSpare) {
  AdmissionSettings s = fair_settings(10);
  s.fairness.flows = {NamedFlowSettings{"batch", "batch-7", 1, 2}};
  AdmissionHarness h(s);
  EXPECT_TRUE(admit(h, tenant_c, TicketSpec{.named = 1}).admitted());
  EXPECT_TRUE(admit(h, tenant_c, TicketSpec{.named = 1}).admitted());
  EXPECT_EQ(admit(h, tenant_c, TicketSpec{.named = 1}).reason, ShedReason::flow_cap);
  EXPECT_TRUE(admit(h, tenant_a).admitted());  // the others are not held back
  const Snapshot snap = h.snapshot();
  ASSERT_EQ(snap.named_flows.size(), 2u);
  EXPECT_EQ(snap.named_flows[1].label, "batch");
  EXPECT_EQ(snap.named_flows[1].in_flight, 2u);
  EXPECT_EQ(snap.named_flows[1].shed, 1u);
  EXPECT_EQ(snap.named_flows[0].label, "other");
  EXPECT_EQ(snap.named_flows[0].admitted, 1u);
}

TEST_F(Fairness, PrioritiesComeBeforeFairness) {
  AdmissionHarness h(fair_settings(2));
  introduce(h, {tenant_a, tenant_b}, next_);
  admit(h, tenant_a);
  admit(h, tenant_a);
  const TicketId light_normal = next_;
  admit(h, tenant_b);
  const TicketId heavy_critical = next_;
  admit(h, tenant_a, TicketSpec{.priority = Priority::critical});
  h.complete(1 + 2);  // the first of A's in flight (ids 1-2 were the introductions)
  EXPECT_TRUE(h.holds(heavy_critical));
  EXPECT_FALSE(h.holds(light_normal));
}

TEST_F(Fairness, LifoHoldsWithinAFlowWhileFlowsStillTakeTurns) {
  AdmissionSettings s = fair_settings(1);
  s.queue.order = QueueOrder::lifo;
  AdmissionHarness h(s);
  introduce(h, {tenant_a, tenant_b}, next_);
  const TicketId first = next_;
  admit(h, tenant_a);
  const TicketId a_old = next_;
  admit(h, tenant_a);
  const TicketId a_new = next_;
  admit(h, tenant_a);
  const TicketId b = next_;
  admit(h, tenant_b);
  h.complete(first);
  EXPECT_TRUE(h.holds(b));  // B has nothing in flight
  h.complete(b);
  EXPECT_TRUE(h.holds(a_new));  // A's newest first
  EXPECT_FALSE(h.holds(a_old));
}

TEST_F(Fairness, NewKeysShareOneFlowSoRotatingKeysCannotCrowdOutAKnownTenant) {
  AdmissionHarness h(fair_settings(4, 64));
  introduce(h, {tenant_b}, next_);
  // A client inventing a key per request: each key is new, so all of them are one flow.
  for (FlowId key = 50'000; key < 50'040; ++key) admit(h, key);
  const TicketId b = next_;
  ASSERT_TRUE(admit(h, tenant_b).queued());
  h.complete(h.held().front());
  EXPECT_TRUE(h.holds(b));
  const Snapshot snap = h.snapshot();
  ASSERT_FALSE(snap.top_flows.empty());
  EXPECT_EQ(snap.top_flows.front().label, "(new keys)");
  EXPECT_EQ(snap.flows_active, 2u);  // the new keys' flow and B
}

TEST_F(Fairness, StateIsKeptOnlyForFlowsWithSomethingInFlightOrWaiting) {
  AdmissionHarness h(fair_settings(4, 16));
  for (FlowId key = 10; key < 30; ++key) introduce(h, {key}, next_);
  for (FlowId key = 10; key < 30; ++key) admit(h, key);
  EXPECT_GT(h.snapshot().flows_active, 1u);
  for (int round = 0; round < 10; ++round) {
    for (const TicketId t : h.held()) h.complete(t);
  }
  EXPECT_EQ(h.snapshot().in_flight, 0u);
  EXPECT_EQ(h.snapshot().flows_active, 0u);
}

TEST_F(Fairness, ACancelledWaiterFreesItsFlow) {
  AdmissionHarness h(fair_settings(1));
  introduce(h, {tenant_a, tenant_b}, next_);
  const TicketId holder = next_;
  admit(h, tenant_a);
  const TicketId waiter = next_;
  admit(h, tenant_b);
  h.cancel(waiter);
  EXPECT_EQ(h.shed_reason(waiter), ShedReason::client_gone);
  h.complete(holder);
  EXPECT_EQ(h.snapshot().flows_active, 0u);
}

TEST_F(Fairness, DryRunCountsWhatFairnessWouldHaveShed) {
  AdmissionSettings s = fair_settings(4);
  s.dry_run = true;
  AdmissionHarness h(s);
  introduce(h, {tenant_a, tenant_b}, next_);
  EXPECT_TRUE(admit(h, tenant_b).admitted());
  for (int i = 0; i < 6; ++i) EXPECT_TRUE(admit(h, tenant_a).admitted());
  const Snapshot snap = h.snapshot();
  // Once the group is full, A holds more than its half of the limit.
  EXPECT_GE(snap.counters.would_shed[index(ShedReason::fair_share)], 1u);
  for (const TicketId t : h.held()) h.complete(t);
  EXPECT_EQ(h.snapshot().flows_active, 0u);
}

TEST_F(Fairness, AWaiterDisplacedFromItsOwnFlowLeavesTheFlowIntact) {
  // The arrival and the waiter it displaces share a flow (here: no key at all).
  for (const bool fair : {false, true}) {
    AdmissionHarness h(fair ? fair_settings(1, 1) : plain_settings(1, 1));
    if (fair) introduce(h, {tenant_a}, next_);
    const TicketId holder = next_;
    admit(h, tenant_a);
    const TicketId waiter = next_;
    ASSERT_TRUE(admit(h, tenant_a).queued());
    const TicketId critical = next_;
    ASSERT_TRUE(admit(h, tenant_a, TicketSpec{.priority = Priority::critical}).queued());
    EXPECT_EQ(h.shed_reason(waiter), ShedReason::priority);
    h.complete(holder);
    ASSERT_TRUE(h.holds(critical));
    h.complete(critical);
    EXPECT_EQ(h.snapshot().queue_length, 0u);
    EXPECT_EQ(h.snapshot().in_flight, 0u);
    EXPECT_EQ(h.snapshot().flows_active, 0u);
    EXPECT_TRUE(admit(h, tenant_a).admitted());
  }
}

TEST_F(Fairness, TurningFairnessOffByReloadLeavesEveryPermitAccountedFor) {
  AdmissionHarness h(fair_settings(2));
  introduce(h, {tenant_a, tenant_b}, next_);
  admit(h, tenant_a);
  admit(h, tenant_a);
  admit(h, tenant_b);
  h.reconfigure(plain_settings(2));
  admit(h, tenant_b);
  for (int round = 0; round < 3; ++round) {
    for (const TicketId t : h.held()) h.complete(t);
  }
  EXPECT_EQ(h.snapshot().in_flight, 0u);
  EXPECT_EQ(h.snapshot().queue_length, 0u);
}

}  // namespace
}  // namespace levee::policy::test
