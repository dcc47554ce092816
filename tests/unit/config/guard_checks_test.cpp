// Cross-key checks of the overload-guard sections, and what a disabled guard leaves in the
// Config.

#include <gtest/gtest.h>

#include "config_test_support.h"

namespace levee::config {
namespace {

using testing::describe;
using testing::load;
using testing::load_ok;
using testing::load_one_error;
using testing::contains;

TEST(GuardChecks, DisabledAdmissionGuardsNoRouteAndKeepsGroupsAsDeclared) {
  const Config c = load_ok(R"(
admission:
  enabled: false
  groups: [{name: shared}]
routes:
  - {name: a, path_prefix: /a, admission_group: shared}
  - {name: b, path_prefix: /b, admission: {limit: {initial: 5}}}
)");
  ASSERT_EQ(c.routes.size(), 2u);
  EXPECT_EQ(c.routes[0].admission_group, "");
  EXPECT_EQ(c.routes[1].admission_group, "");
  ASSERT_TRUE(c.routes[1].admission.has_value());
  EXPECT_EQ(c.routes[1].admission->limit.initial, 5u);  // kept for when the guard is enabled
  ASSERT_EQ(c.admission.groups.size(), 1u);
  EXPECT_EQ(c.admission.groups[0].name, "shared");

  const LoadResult again = load(to_yaml(c));
  ASSERT_TRUE(again.ok()) << describe(again.errors);
  Config reloaded = *again.config;
  reloaded.source = c.source;
  EXPECT_EQ(reloaded, c);
}

TEST(GuardChecks, DisabledAdmissionStillChecksGroupReferences) {
  // A typo must not wait for the day the guard is switched on.
  const ConfigError e = load_one_error(R"(
admission:
  enabled: false
  groups: [{name: search}]
routes:
  - {name: a, admission_group: serch}
)");
  EXPECT_EQ(e.key_path, "routes[0].admission_group");
  EXPECT_TRUE(contains(e.message, "did you mean 'search'?")) << e.message;
}

TEST(GuardChecks, GroupsInheritingABadDefaultDoNotRepeatItsError) {
  const LoadResult result = load(R"(
admission:
  limit: {min: 50, max: 10}
  groups: [{name: g}]
routes:
  - {name: a, admission_group: g}
  - {name: b, path_prefix: /b, admission: {queue: {max_length: 3}}}
)");
  ASSERT_FALSE(result.ok());
  ASSERT_EQ(result.errors.size(), 1u) << describe(result.errors);
  EXPECT_EQ(result.errors[0].key_path, "admission.limit");
  EXPECT_EQ(result.errors[0].line, 3);
}

TEST(GuardChecks, RetryAfterBoundsErrorPointsAtRetryAfter) {
  const ConfigError e = load_one_error("admission:\n  estimate_window: 1s\n  retry_after: {min: 10s, max: 1s}\n");
  EXPECT_EQ(e.key_path, "admission.retry_after");
  EXPECT_EQ(e.line, 3);
}

TEST(GuardChecks, RouteBudgetErrorPointsAtTheBudget) {
  const ConfigError e = load_one_error(R"(
routes:
  - name: a
    retry:
      budget: {window: 5ms}
)");
  EXPECT_EQ(e.key_path, "routes[0].retry.budget");
  EXPECT_EQ(e.line, 5);
  EXPECT_TRUE(contains(e.message, "at least 10ms")) << e.message;
}

TEST(GuardChecks, RetriesWithNothingToRetryOnAreRefused) {
  const ConfigError empty = load_one_error("routes:\n  - name: a\n    retry: {attempts: 3, retry_on: []}\n");
  EXPECT_EQ(empty.key_path, "routes[0].retry.retry_on");
  EXPECT_TRUE(contains(empty.message, "attempts: 1")) << empty.message;

  const ConfigError statuses =
      load_one_error("routes:\n  - name: a\n    retry: {attempts: 2, retry_on: [status], statuses: []}\n");
  EXPECT_EQ(statuses.key_path, "routes[0].retry.statuses");

  // attempts: 1 means no retries, so an empty retry_on is harmless.
  EXPECT_TRUE(load_ok("routes:\n  - name: a\n    retry: {attempts: 1, retry_on: []}\n").routes[0].retry.retry_on.empty());
}

TEST(GuardChecks, RequestHeaderNamesMustBeTokens) {
  const ConfigError e = load_one_error("request_headers: {deadline: \"levee timeout\"}\n");
  EXPECT_EQ(e.key_path, "request_headers.deadline");
  EXPECT_TRUE(contains(e.message, "HTTP header name")) << e.message;

  const Config c = load_ok("request_headers: {retry: \"\", priority: X-Priority}\n");
  EXPECT_EQ(c.request_headers.retry, "");  // "" turns the header off
  EXPECT_EQ(c.request_headers.priority, "X-Priority");
}

}  // namespace
}  // namespace levee::config
