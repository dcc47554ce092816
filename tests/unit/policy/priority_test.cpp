#include "proxy/policy/priority.h"

#include <gtest/gtest.h>

namespace levee::policy {
namespace {

TEST(ClaimablePriority, AnyoneMayLowerTheirClass) {
  EXPECT_EQ(claimable_priority(Priority::normal, Priority::sheddable, false), Priority::sheddable);
  EXPECT_EQ(claimable_priority(Priority::critical, Priority::normal, false), Priority::normal);
  EXPECT_EQ(claimable_priority(Priority::normal, Priority::normal, false), Priority::normal);
}

TEST(ClaimablePriority, OnlyATrustedSenderMayRaiseIt) {
  EXPECT_EQ(claimable_priority(Priority::normal, Priority::critical, false), Priority::normal);
  EXPECT_EQ(claimable_priority(Priority::sheddable, Priority::normal, false), Priority::sheddable);
  EXPECT_EQ(claimable_priority(Priority::normal, Priority::critical, true), Priority::critical);
  EXPECT_EQ(claimable_priority(Priority::sheddable, Priority::critical, true), Priority::critical);
}

}  // namespace
}  // namespace levee::policy
