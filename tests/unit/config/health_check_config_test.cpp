// `upstreams[].health_check`: off unless a path is set, defaults, bounds, round trip.

#include <gtest/gtest.h>

#include "config_test_support.h"

namespace levee::config {
namespace {

using namespace std::chrono_literals;
using testing::load_ok;
using testing::load_one_error;

constexpr std::string_view upstream = "upstreams:\n  - name: app\n    address: 127.0.0.1:8081\n";

TEST(HealthCheckConfig, OffUnlessAPathIsSet) {
  const Config c = load_ok(upstream);
  EXPECT_FALSE(c.upstreams[0].health_check.enabled());
}

TEST(HealthCheckConfig, APathAloneTakesTheDefaults) {
  const Config c = load_ok(std::string(upstream) + "    health_check: {path: /healthz}\n");
  const HealthCheckConfig& check = c.upstreams[0].health_check;
  EXPECT_TRUE(check.enabled());
  EXPECT_EQ(check.path, "/healthz");
  EXPECT_EQ(check.interval, 2s);
  EXPECT_EQ(check.timeout, 1s);
  EXPECT_EQ(check.healthy_threshold, 1u);
  EXPECT_EQ(check.unhealthy_threshold, 2u);
}

TEST(HealthCheckConfig, ReadsEveryKey) {
  const Config c = load_ok(std::string(upstream) +
                           "    health_check:\n      path: /ready?deep=1\n      interval: 5s\n      timeout: 250ms\n"
                           "      healthy_threshold: 3\n      unhealthy_threshold: 4\n");
  const HealthCheckConfig& check = c.upstreams[0].health_check;
  EXPECT_EQ(check.path, "/ready?deep=1");
  EXPECT_EQ(check.interval, 5s);
  EXPECT_EQ(check.timeout, 250ms);
  EXPECT_EQ(check.healthy_threshold, 3u);
  EXPECT_EQ(check.unhealthy_threshold, 4u);
}

TEST(HealthCheckConfig, APathMustStartWithASlashAndHoldNoSpace) {
  ConfigError e = load_one_error(std::string(upstream) + "    health_check: {path: healthz}\n");
  EXPECT_EQ(e.key_path, "upstreams[0].health_check.path");
  EXPECT_EQ(e.line, 4);
  e = load_one_error(std::string(upstream) + "    health_check: {path: \"/a b\"}\n");
  EXPECT_EQ(e.key_path, "upstreams[0].health_check.path");
}

TEST(HealthCheckConfig, ThresholdsAreAtLeastOneAndAKeyTypoIsReported) {
  ConfigError e = load_one_error(std::string(upstream) + "    health_check: {path: /h, unhealthy_threshold: 0}\n");
  EXPECT_EQ(e.key_path, "upstreams[0].health_check.unhealthy_threshold");
  e = load_one_error(std::string(upstream) + "    health_check: {path: /h, intervall: 1s}\n");
  EXPECT_NE(e.message.find("interval"), std::string::npos) << e.message;
}

TEST(HealthCheckConfig, SurvivesARoundTrip) {
  const Config c = load_ok(std::string(upstream) + "    health_check: {path: /healthz, interval: 3s}\n");
  const Config again = load_ok(to_yaml(c));
  EXPECT_EQ(again.upstreams, c.upstreams);
}

}  // namespace
}  // namespace levee::config
