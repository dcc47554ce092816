#include "proxy/policy/router.h"

#include "proxy/policy/request_path.h"

#include <gtest/gtest.h>

namespace levee::policy {
namespace {

TEST(Router, LongestPrefixWins) {
  Router router({{"", "/"}, {"", "/api"}, {"", "/api/v2"}});
  EXPECT_EQ(router.match("h", "/"), 0u);
  EXPECT_EQ(router.match("h", "/other"), 0u);
  EXPECT_EQ(router.match("h", "/api"), 1u);
  EXPECT_EQ(router.match("h", "/api/v1/x"), 1u);
  EXPECT_EQ(router.match("h", "/api/v2/x"), 2u);
}

TEST(Router, PrefixesMatchOnSegmentBoundaries) {
  Router router(std::vector<RouteMatch>{{"", "/api"}});
  EXPECT_EQ(router.match("h", "/api?q=1"), 0u);
  EXPECT_EQ(router.match("h", "/api/"), 0u);
  EXPECT_FALSE(router.match("h", "/apix"));
  EXPECT_FALSE(router.match("h", "/"));
}

TEST(Router, HostSpecificRouteBeatsAnyHostAndIgnoresCaseAndPort) {
  Router router({{"", "/"}, {"Shop.Example", "/"}});
  EXPECT_EQ(router.match("shop.example:8080", "/cart"), 1u);
  EXPECT_EQ(router.match("SHOP.EXAMPLE", "/"), 1u);
  EXPECT_EQ(router.match("other.example", "/"), 0u);
  EXPECT_EQ(router.match("", "/"), 0u);
}

// check_request normalises the target before routing; on the raw path, "/api/../admin" would
// be matched by /api and take its limits and priority while the service serves /admin.
TEST(Router, OnTheNormalisedPathDotSegmentsCannotPickAnotherRoute) {
  Router router({{"", "/"}, {"", "/api"}});
  const NormalizedTarget target = normalize_target("/api/../admin");
  ASSERT_TRUE(target.rewritten);
  EXPECT_EQ(router.match("h", *target.rewritten), 0u);
  EXPECT_EQ(router.match("h", *normalize_target("/admin/%2e%2e/api/x").rewritten), 1u);
}

TEST(Router, NormalizeHost) {
  EXPECT_EQ(normalize_host("Example.COM:8080"), "example.com");
  EXPECT_EQ(normalize_host("[::1]:80"), "[::1]");
  EXPECT_EQ(normalize_host("plain"), "plain");
}

}  // namespace
}  // namespace levee::policy
