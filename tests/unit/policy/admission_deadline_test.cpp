// Admission: deadline shedding and deadline-aware admission.
#include <gtest/gtest.h>

#include "tests/unit/policy/admission_harness.h"

namespace levee::policy::test {
namespace {

TEST(AdmissionDeadline, APassedDeadlineIsShedAtOnce) {
  AdmissionHarness h(plain_settings(4));
  const Decision d = h.admit(1, TicketSpec{.deadline_in = 0ms});
  ASSERT_TRUE(d.rejected());
  EXPECT_EQ(d.reason, ShedReason::deadline);
  EXPECT_EQ(h.snapshot().counters.shed_total(ShedReason::deadline), 1u);
}

TEST(AdmissionDeadline, AWaiterWhoseDeadlinePassesIsShed) {
  AdmissionHarness h(plain_settings(1));
  h.fill(1, 1);
  ASSERT_TRUE(h.admit(2, TicketSpec{.deadline_in = 100ms}).queued());
  ASSERT_TRUE(h.admit(3).queued());
  h.advance(99ms);
  EXPECT_TRUE(h.tick().empty());
  h.advance(1ms);
  const Effects effects = h.tick();
  ASSERT_EQ(effects.shed.size(), 1u);
  EXPECT_EQ(effects.shed[0], (Shed{2, ShedReason::deadline}));
  h.complete(1);
  EXPECT_TRUE(h.holds(3));
}

// Two permits, a measured service time of 200 ms: the group turns over one permit per 100 ms.
class DeadlineAware : public ::testing::Test {
 protected:
  DeadlineAware() : h(settings()) {
    h.fill(1, 2);
    h.advance(200ms);
    h.complete(1);
    h.complete(2);
    h.tick();
    EXPECT_EQ(h.snapshot().service_time, 200ms);
    h.fill(3, 2);  // saturated again
  }
  static AdmissionSettings settings() {
    AdmissionSettings s = plain_settings(2);
    s.estimate_window = 100ms;
    return s;
  }
  AdmissionHarness h;
};

TEST_F(DeadlineAware, ShedsAtOnceWhatCannotStartBeforeItsDeadline) {
  const Decision d = h.admit(5, TicketSpec{.deadline_in = 50ms});  // first in line: ~100 ms
  ASSERT_TRUE(d.rejected());
  EXPECT_EQ(d.reason, ShedReason::deadline);
  EXPECT_TRUE(h.admit(6, TicketSpec{.deadline_in = 150ms}).queued());
  // Second in line: about 200 ms.
  EXPECT_EQ(h.admit(7, TicketSpec{.deadline_in = 120ms}).reason, ShedReason::deadline);
  EXPECT_TRUE(h.admit(8, TicketSpec{.deadline_in = 250ms}).queued());
  EXPECT_TRUE(h.admit(9).queued());  // no deadline: only max_wait applies
}

TEST_F(DeadlineAware, HigherClassesDoNotWaitBehindLowerOnes) {
  ASSERT_TRUE(h.admit(5).queued());
  ASSERT_TRUE(h.admit(6).queued());
  // Third in line for a normal request (~300 ms), first for a critical one (~100 ms).
  EXPECT_EQ(h.admit(7, TicketSpec{.deadline_in = 150ms}).reason, ShedReason::deadline);
  EXPECT_TRUE(
      h.admit(8, TicketSpec{.priority = Priority::critical, .deadline_in = 150ms}).queued());
}

TEST_F(DeadlineAware, TickReestimatesWaitersThatFellBehind) {
  ASSERT_TRUE(h.admit(5, TicketSpec{.deadline_in = 150ms}).queued());
  h.advance(60ms);  // nothing completed: 5 still needs ~100 ms, only 90 ms are left
  const Effects effects = h.tick();
  ASSERT_EQ(effects.shed.size(), 1u);
  EXPECT_EQ(effects.shed[0], (Shed{5, ShedReason::deadline}));
}

TEST_F(DeadlineAware, AFreeSlotServesAWaiterWhateverTheEstimate) {
  ASSERT_TRUE(h.admit(5, TicketSpec{.deadline_in = 110ms}).queued());
  h.advance(20ms);
  h.complete(3);  // a slot frees now: start now, well before the deadline
  EXPECT_TRUE(h.holds(5));
}

}  // namespace
}  // namespace levee::policy::test
