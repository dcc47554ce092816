// Admission: dry run and the collapse detector's recovery mode.
#include <gtest/gtest.h>

#include "tests/unit/policy/admission_harness.h"

namespace levee::policy::test {
namespace {

TEST(AdmissionDryRun, AdmitsEverythingAndCountsWhatWouldHaveBeenShed) {
  AdmissionSettings s = plain_settings(2, 1);
  s.dry_run = true;
  AdmissionHarness h(s);
  for (TicketId id = 1; id <= 5; ++id) EXPECT_TRUE(h.admit(id).admitted()) << id;
  EXPECT_TRUE(h.admit(6, TicketSpec{.retry = true}).admitted());
  EXPECT_TRUE(h.admit(7, TicketSpec{.deadline_in = 0ms}).admitted());

  const Snapshot snap = h.snapshot();
  EXPECT_TRUE(snap.dry_run);
  EXPECT_EQ(snap.in_flight, 7u);
  EXPECT_EQ(snap.counters.would_queue, 1u);  // ticket 3
  EXPECT_EQ(snap.counters.would_shed[index(ShedReason::queue_full)], 2u);  // 4, 5
  EXPECT_EQ(snap.counters.would_shed[index(ShedReason::retry_shed)], 1u);
  EXPECT_EQ(snap.counters.would_shed[index(ShedReason::deadline)], 1u);
  for (ShedReason reason : all_shed_reasons) EXPECT_EQ(snap.counters.shed_total(reason), 0u);

  for (TicketId id = 1; id <= 7; ++id) h.complete(id);
  EXPECT_EQ(h.snapshot().in_flight, 0u);
}

TEST(AdmissionDryRun, SwitchingToDryRunReleasesTheQueue) {
  AdmissionSettings s = plain_settings(1);
  AdmissionHarness h(s);
  h.fill(1, 1);
  ASSERT_TRUE(h.admit(2).queued());
  ASSERT_TRUE(h.admit(3).queued());
  s.dry_run = true;
  EXPECT_EQ(h.reconfigure(s).granted.size(), 2u);
  EXPECT_EQ(h.snapshot().queue_length, 0u);
}

// A group whose fixed limit (40) is far above what the service can take. Healthy traffic
// uses half of it at 10 ms per request; then the service degrades, requests pile up and
// goodput falls while the group is saturated.
class Collapse : public ::testing::Test {
 protected:
  Collapse() : h(settings()) {}
  static AdmissionSettings settings() {
    AdmissionSettings s = plain_settings(40, 1000);
    s.queue.codel_target = 50ms;
    s.queue.codel_interval = 100ms;
    s.queue.max_wait = 10s;
    s.collapse.enabled = true;
    s.collapse.window = 1s;
    s.collapse.recovery_windows = 3;
    return s;
  }
  // One 10 ms step: the service finishes `done` of the oldest requests, `arrivals` arrive.
  void step(std::size_t done, std::size_t arrivals) {
    h.advance(10ms);
    const std::vector<TicketId> held = h.held();
    for (std::size_t i = 0; i < done && i < held.size(); ++i) h.complete(held[i]);
    for (std::size_t i = 0; i < arrivals; ++i) h.admit(next_id++);
    h.tick();
  }
  void steps(int count, std::size_t done, std::size_t arrivals) {
    for (int i = 0; i < count; ++i) step(done, arrivals);
  }

  AdmissionHarness h;
  TicketId next_id = 1;
};

TEST_F(Collapse, HealthyTrafficStaysNormal) {
  steps(300, 20, 20);
  const Snapshot snap = h.snapshot();
  EXPECT_EQ(snap.mode, Mode::normal);
  EXPECT_NEAR(snap.goodput_peak, 2000, 100);
  EXPECT_EQ(snap.counters.recovery_entered, 0u);
}

TEST_F(Collapse, FallingGoodputUnderLoadEntersRecoveryAndHealthLeavesIt) {
  steps(200, 20, 20);  // 2 s healthy: 2000/s at 10 ms
  steps(250, 10, 14);  // degraded: 1000/s while saturated and queueing
  Snapshot snap = h.snapshot();
  ASSERT_EQ(snap.mode, Mode::recovery);
  EXPECT_EQ(snap.counters.recovery_entered, 1u);
  // Little's law: ~1900/s x ~10 ms x 1.2 = ~23 instead of 40.
  EXPECT_GE(snap.limit, 20u);
  EXPECT_LE(snap.limit, 30u);
  EXPECT_EQ(snap.limit_algorithm, 40u);
  EXPECT_EQ(snap.queue_order, QueueOrder::lifo);
  EXPECT_GT(snap.counters.shed_total(ShedReason::stale), 0u);  // waiters older than target

  steps(100, 10, 14);  // still degraded: stays in recovery
  EXPECT_EQ(h.snapshot().mode, Mode::recovery);

  steps(500, 40, 10);  // the spike is over: backlog worked off, demand below the limit
  snap = h.snapshot();
  EXPECT_EQ(snap.mode, Mode::normal);
  EXPECT_EQ(snap.limit, 40u);
  EXPECT_EQ(snap.queue_order, QueueOrder::fifo);
}

// The service behind the fixed 40 can really take far fewer, and queues the rest itself: it
// still finishes requests at a steady rate, but their callers have left (the http layer
// reports them as Outcome::abandoned). levee's own queue and goodput peak show nothing wrong.
TEST_F(Collapse, CallersAbandoningTheirExchangesClampTheLimitUntilTheDemandFalls) {
  steps(100, 20, 20);  // 1 s healthy: 2000/s at 10 ms
  // Each 10 ms the service finishes 20, of which the callers of 15 have gone.
  const auto abandoning = [&](int count) {
    for (int i = 0; i < count; ++i) {
      h.advance(10ms);
      const std::vector<TicketId> held = h.held();
      for (std::size_t j = 0; j < 20 && j < held.size(); ++j) {
        h.complete(held[j], j < 15 ? Outcome::abandoned : Outcome::success);
      }
      for (int j = 0; j < 20; ++j) h.admit(next_id++);
      h.tick();
    }
  };
  abandoning(150);
  Snapshot snap = h.snapshot();
  ASSERT_EQ(snap.mode, Mode::recovery);
  EXPECT_EQ(snap.counters.recovery_entered, 1u);
  EXPECT_GT(snap.counters.abandoned, 1000u);
  // Little's law: the ~2000/s that finished x ~10 ms x 1.2 = ~24 instead of 40.
  const std::uint32_t clamp = snap.limit;
  EXPECT_GE(clamp, 18u);
  EXPECT_LE(clamp, 30u);
  EXPECT_EQ(snap.limit_algorithm, 40u);
  // Still abandoned two windows into recovery: the clamp was too generous, and halves.
  abandoning(300);
  EXPECT_LT(h.snapshot().limit, clamp);
  EXPECT_EQ(h.snapshot().mode, Mode::recovery);
  // Callers are served again but the demand is still there: a fixed 40 far above the clamp
  // would refill the service's queue, so the clamp holds.
  steps(300, 20, 20);
  EXPECT_EQ(h.snapshot().mode, Mode::recovery);
  // The demand falls below the clamp: three healthy windows later, the configured limit.
  steps(500, 20, 2);
  snap = h.snapshot();
  EXPECT_EQ(snap.mode, Mode::normal);
  EXPECT_EQ(snap.limit, 40u);
}

TEST_F(Collapse, DisabledDetectorNeverEntersRecovery) {
  AdmissionSettings s = settings();
  s.collapse.enabled = false;
  h.reconfigure(s);
  steps(200, 20, 20);
  steps(250, 10, 14);
  EXPECT_EQ(h.snapshot().mode, Mode::normal);
}

}  // namespace
}  // namespace levee::policy::test
