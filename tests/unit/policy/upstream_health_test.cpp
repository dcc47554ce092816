#include "proxy/policy/upstream_health.h"

#include <gtest/gtest.h>

#include "tests/fakes/manual_clock.h"

namespace levee::policy {
namespace {

using namespace std::chrono_literals;

// Drives one UpstreamHealth with probes that end `interval` apart on a manual clock.
class Probes {
 public:
  explicit Probes(HealthThresholds thresholds) : health_(thresholds, clock_.now()) {}

  bool pass() { return health_.record(true, "", clock_.advance(2s)); }
  bool fail(std::string_view why = "connect: Connection refused") { return health_.record(false, why, clock_.advance(2s)); }
  const UpstreamHealth& health() const { return health_; }
  testing::ManualClock& clock() { return clock_; }

 private:
  testing::ManualClock clock_;
  UpstreamHealth health_;
};

TEST(UpstreamHealth, StartsUnhealthyUntilAProbePasses) {
  Probes probes({.healthy = 1, .unhealthy = 2});
  EXPECT_FALSE(probes.health().healthy());
  EXPECT_EQ(probes.health().last_failure(), "no probe has passed yet");
  EXPECT_FALSE(probes.fail());
  EXPECT_FALSE(probes.fail());
  EXPECT_FALSE(probes.health().healthy());
  EXPECT_TRUE(probes.pass());
  EXPECT_TRUE(probes.health().healthy());
}

TEST(UpstreamHealth, TheFirstPassEverIsEnoughWhateverTheHealthyThreshold) {
  Probes probes({.healthy = 3, .unhealthy = 1});
  EXPECT_TRUE(probes.pass());
  EXPECT_TRUE(probes.health().healthy());
}

TEST(UpstreamHealth, TurnsUnhealthyAfterUnhealthyThresholdFailuresInARow) {
  Probes probes({.healthy = 1, .unhealthy = 2});
  probes.pass();
  EXPECT_FALSE(probes.fail());
  EXPECT_TRUE(probes.health().healthy());  // one failure is a blip
  EXPECT_TRUE(probes.fail("GET /healthz answered 500"));
  EXPECT_FALSE(probes.health().healthy());
  EXPECT_EQ(probes.health().last_failure(), "GET /healthz answered 500");
}

TEST(UpstreamHealth, APassBetweenFailuresStartsTheCountAgain) {
  Probes probes({.healthy = 1, .unhealthy = 2});
  probes.pass();
  probes.fail();
  probes.pass();
  probes.fail();
  EXPECT_TRUE(probes.health().healthy());
}

TEST(UpstreamHealth, ComesBackAfterHealthyThresholdPassesInARow) {
  Probes probes({.healthy = 2, .unhealthy = 1});
  probes.pass();
  EXPECT_TRUE(probes.fail());
  EXPECT_FALSE(probes.pass());
  EXPECT_FALSE(probes.health().healthy());  // a flapping service must prove itself twice
  EXPECT_FALSE(probes.fail());
  EXPECT_FALSE(probes.pass());
  EXPECT_TRUE(probes.pass());
  EXPECT_TRUE(probes.health().healthy());
}

TEST(UpstreamHealth, TellsHowLongTheVerdictHasHeld) {
  Probes probes({.healthy = 1, .unhealthy = 1});
  probes.pass();  // healthy as of now
  const auto since = probes.clock().now();
  EXPECT_EQ(probes.health().verdict_age(since + 5s), 5s);
  probes.pass();  // no change: the age keeps counting from the first pass
  EXPECT_EQ(probes.health().verdict_age(since + 5s), 5s);
  probes.fail();
  EXPECT_EQ(probes.health().verdict_age(probes.clock().now()), 0s);
}

TEST(UpstreamHealth, ZeroThresholdsCountAsOne) {
  Probes probes({.healthy = 0, .unhealthy = 0});
  probes.pass();
  EXPECT_TRUE(probes.fail());
  EXPECT_FALSE(probes.health().healthy());
}

}  // namespace
}  // namespace levee::policy
