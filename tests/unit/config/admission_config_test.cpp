// The `admission:` section: its keys, how groups and routes merge over the defaults, and the
// cross-checks between routes and groups.

#include <algorithm>

#include <gtest/gtest.h>

#include "config_test_support.h"

namespace levee::config {
namespace {

using namespace std::chrono_literals;
using testing::load_ok;
using testing::load_one_error;
using testing::contains;
using testing::group;

TEST(AdmissionConfig, DefaultsAreThePolicyDefaults) {
  const Config c = load_ok("");
  EXPECT_TRUE(c.admission.enabled);
  EXPECT_EQ(c.admission.defaults, policy::AdmissionSettings{});
}

TEST(AdmissionConfig, ReadsEveryTopLevelKey) {
  const Config c = load_ok(R"(
admission:
  enabled: false
  limit:
    kind: aimd
    initial: 20
    min: 2
    max: 200
    aimd: {backoff_ratio: 0.8, increase: 2, timeout: 3s}
    gradient: {tolerance: 1.5, smoothing: 0.5, long_window: 100, window: 50ms, window_min_samples: 5, probe_interval: 0s}
    knee: {probe_interval: 3s, step: 0.3, phase_samples: 40, tolerance: 1.5}
  queue:
    max_length: 7
    max_wait: 300ms
    order: lifo
    lifo_after: 0s
    codel_target: 0s
    codel_interval: 1s
  critical_reserved_share: 0.25
  retry_budget:
    enabled: false
    ratio: 0.05
    min_per_second: 0
    window: 5s
    max_concurrent: 0
  collapse: {enabled: false, window: 2s, goodput_drop: 0.5, busy_fraction: 0.6, peak_decay: 0.9, clamp_factor: 0.3, recovery_windows: 5, abandoned_share: 0.4}
  dry_run: true
  estimate_window: 500ms
  retry_after: {min: 500ms, max: 1m}
)");
  const policy::AdmissionSettings& s = c.admission.defaults;
  EXPECT_FALSE(c.admission.enabled);
  EXPECT_EQ(s.limit.kind, policy::LimitKind::aimd);
  EXPECT_EQ(s.limit.initial, 20u);
  EXPECT_EQ(s.limit.min, 2u);
  EXPECT_EQ(s.limit.max, 200u);
  EXPECT_DOUBLE_EQ(s.limit.aimd.backoff_ratio, 0.8);
  EXPECT_DOUBLE_EQ(s.limit.aimd.increase, 2.0);
  EXPECT_EQ(s.limit.aimd.timeout, 3s);
  EXPECT_DOUBLE_EQ(s.limit.gradient.tolerance, 1.5);
  EXPECT_DOUBLE_EQ(s.limit.gradient.smoothing, 0.5);
  EXPECT_EQ(s.limit.gradient.long_window, 100u);
  EXPECT_EQ(s.limit.gradient.window, 50ms);
  EXPECT_EQ(s.limit.gradient.window_min_samples, 5u);
  EXPECT_EQ(s.limit.gradient.probe_interval, Duration::zero());
  EXPECT_EQ(s.limit.knee.probe_interval, 3s);
  EXPECT_DOUBLE_EQ(s.limit.knee.step, 0.3);
  EXPECT_EQ(s.limit.knee.phase_samples, 40u);
  EXPECT_DOUBLE_EQ(s.limit.knee.tolerance, 1.5);
  EXPECT_EQ(s.queue.max_length, 7u);
  EXPECT_EQ(s.queue.max_wait, 300ms);
  EXPECT_EQ(s.queue.order, policy::QueueOrder::lifo);
  EXPECT_EQ(s.queue.lifo_after, Duration::zero());
  EXPECT_EQ(s.queue.codel_target, Duration::zero());
  EXPECT_EQ(s.queue.codel_interval, 1s);
  EXPECT_DOUBLE_EQ(s.critical_reserved_share, 0.25);
  EXPECT_FALSE(s.retry_budget_enabled);
  EXPECT_DOUBLE_EQ(s.retry_budget.ratio, 0.05);
  EXPECT_DOUBLE_EQ(s.retry_budget.min_per_second, 0.0);
  EXPECT_EQ(s.retry_budget.window, 5s);
  EXPECT_EQ(s.retry_budget.max_concurrent, 0u);
  EXPECT_FALSE(s.collapse.enabled);
  EXPECT_EQ(s.collapse.window, 2s);
  EXPECT_DOUBLE_EQ(s.collapse.goodput_drop, 0.5);
  EXPECT_DOUBLE_EQ(s.collapse.busy_fraction, 0.6);
  EXPECT_DOUBLE_EQ(s.collapse.peak_decay, 0.9);
  EXPECT_DOUBLE_EQ(s.collapse.clamp_factor, 0.3);
  EXPECT_EQ(s.collapse.recovery_windows, 5u);
  EXPECT_DOUBLE_EQ(s.collapse.abandoned_share, 0.4);
  EXPECT_TRUE(s.dry_run);
  EXPECT_EQ(s.estimate_window, 500ms);
  EXPECT_EQ(s.retry_after_min, 500ms);
  EXPECT_EQ(s.retry_after_max, 60s);
}

TEST(AdmissionConfig, LimitKindsAndQueueOrders) {
  EXPECT_EQ(load_ok("admission: {limit: {kind: fixed}}").admission.defaults.limit.kind, policy::LimitKind::fixed);
  EXPECT_EQ(load_ok("admission: {limit: {kind: gradient}}").admission.defaults.limit.kind,
            policy::LimitKind::gradient);
  EXPECT_EQ(load_ok("admission: {limit: {kind: knee}}").admission.defaults.limit.kind, policy::LimitKind::knee);
  EXPECT_EQ(load_ok("admission: {queue: {order: fifo}}").admission.defaults.queue.order, policy::QueueOrder::fifo);
  EXPECT_EQ(load_ok("admission: {queue: {order: adaptive}}").admission.defaults.queue.order,
            policy::QueueOrder::adaptive);
}

TEST(AdmissionConfig, UnknownLimitKindSuggestsTheNearestOne) {
  const ConfigError e = load_one_error("admission:\n  limit:\n    kind: fixd\n");
  EXPECT_EQ(e.key_path, "admission.limit.kind");
  EXPECT_EQ(e.line, 3);
  EXPECT_TRUE(contains(e.message, "one of fixed, aimd, gradient, knee")) << e.message;
  EXPECT_TRUE(contains(e.message, "did you mean 'fixed'?")) << e.message;
}

TEST(AdmissionConfig, KneeSettingsAreValidated) {
  ConfigError e = load_one_error("admission:\n  limit:\n    knee: {step: 2}\n");
  EXPECT_EQ(e.key_path, "admission.limit.knee.step");
  e = load_one_error("admission:\n  limit:\n    knee: {phase_samples: 2}\n");
  EXPECT_EQ(e.key_path, "admission.limit.knee.phase_samples");
  e = load_one_error("admission:\n  limit:\n    knee: {tolerance: 1}\n");
  EXPECT_EQ(e.key_path, "admission.limit.knee.tolerance");
  e = load_one_error("admission:\n  limit:\n    knee: {probe_interval: 0s}\n");
  EXPECT_EQ(e.key_path, "admission.limit.knee.probe_interval");
  e = load_one_error("admission:\n  collapse: {abandoned_share: 0}\n");
  EXPECT_EQ(e.key_path, "admission.collapse.abandoned_share");
}

TEST(AdmissionConfig, SharedGroupOverridingOneKeyKeepsTheOtherTopLevelValues) {
  const Config c = load_ok(R"(
admission:
  limit:
    kind: aimd
    initial: 50
    max: 500
  queue:
    max_length: 10
    order: fifo
  critical_reserved_share: 0.2
  dry_run: true
  groups:
    - name: shared
      limit:
        initial: 100
routes:
  - name: a
    path_prefix: /a
    admission_group: shared
  - name: b
    path_prefix: /b
    admission_group: shared
)");
  const AdmissionGroupConfig* shared = group(c, "shared");
  ASSERT_NE(shared, nullptr);
  EXPECT_FALSE(shared->route_owned);
  policy::AdmissionSettings expected = c.admission.defaults;
  expected.limit.initial = 100;
  EXPECT_EQ(shared->settings, expected);
  // Spelled out: the keys the group did not set come from the top level, not from the
  // built-in defaults.
  EXPECT_EQ(shared->settings.limit.kind, policy::LimitKind::aimd);
  EXPECT_EQ(shared->settings.limit.max, 500u);
  EXPECT_EQ(shared->settings.queue.max_length, 10u);
  EXPECT_EQ(shared->settings.queue.order, policy::QueueOrder::fifo);
  EXPECT_DOUBLE_EQ(shared->settings.critical_reserved_share, 0.2);
  EXPECT_TRUE(shared->settings.dry_run);
  // Routes naming the group share it; no per-route group is synthesized for them.
  EXPECT_EQ(c.routes[0].admission_group, "shared");
  EXPECT_EQ(c.routes[1].admission_group, "shared");
  EXPECT_EQ(c.admission.groups.size(), 1u);
}

TEST(AdmissionConfig, TopLevelKeysAfterGroupsStillReachTheGroups) {
  // Key order in the file must not matter: `groups:` before the defaults it inherits.
  const Config c = load_ok(R"(
admission:
  groups:
    - name: shared
      queue: {max_wait: 2s}
  limit:
    initial: 77
routes:
  - name: a
    admission_group: shared
)");
  const AdmissionGroupConfig* shared = group(c, "shared");
  ASSERT_NE(shared, nullptr);
  EXPECT_EQ(shared->settings.queue.max_wait, 2s);
  EXPECT_EQ(shared->settings.limit.initial, 77u);
}

TEST(AdmissionConfig, EachRouteWithoutAGroupGetsItsOwnGroup) {
  const Config c = load_ok(R"(
admission:
  limit:
    initial: 40
routes:
  - name: api
    path_prefix: /api
  - name: web
    path_prefix: /
    admission:
      queue:
        max_length: 5
)");
  ASSERT_EQ(c.admission.groups.size(), 2u);
  const AdmissionGroupConfig* api = group(c, "api");
  const AdmissionGroupConfig* web = group(c, "web");
  ASSERT_NE(api, nullptr);
  ASSERT_NE(web, nullptr);
  EXPECT_TRUE(api->route_owned);
  EXPECT_TRUE(web->route_owned);
  EXPECT_EQ(c.routes[0].admission_group, "api");
  EXPECT_EQ(c.routes[1].admission_group, "web");
  EXPECT_EQ(api->settings, c.admission.defaults);
  EXPECT_FALSE(c.routes[0].admission);

  // The route's own overrides are merged over the top-level values.
  policy::AdmissionSettings expected = c.admission.defaults;
  expected.queue.max_length = 5;
  EXPECT_EQ(web->settings, expected);
  EXPECT_EQ(web->settings.limit.initial, 40u);
  ASSERT_TRUE(c.routes[1].admission);
  EXPECT_EQ(*c.routes[1].admission, expected);
}

TEST(AdmissionConfig, DefaultRouteGetsItsOwnGroupToo) {
  const Config c = load_ok("");
  ASSERT_EQ(c.admission.groups.size(), 1u);
  EXPECT_EQ(c.admission.groups[0].name, "default");
  EXPECT_TRUE(c.admission.groups[0].route_owned);
  EXPECT_EQ(c.routes[0].admission_group, "default");
}

TEST(AdmissionConfig, UnknownGroupIsAnErrorWithASuggestion) {
  const ConfigError e = load_one_error(R"(
admission:
  groups:
    - name: search
routes:
  - name: api
    admission_group: serch
)");
  EXPECT_EQ(e.key_path, "routes[0].admission_group");
  EXPECT_EQ(e.line, 7);
  EXPECT_TRUE(contains(e.message, "no admission group named 'serch'")) << e.message;
  EXPECT_TRUE(contains(e.message, "did you mean 'search'?")) << e.message;
}

TEST(AdmissionConfig, UnknownGroupWithNoGroupsSaysWhereToDeclareIt) {
  const ConfigError e = load_one_error("routes:\n  - name: api\n    admission_group: search\n");
  EXPECT_EQ(e.key_path, "routes[0].admission_group");
  EXPECT_TRUE(contains(e.message, "admission.groups")) << e.message;
}

TEST(AdmissionConfig, GroupAndOwnAdmissionOnOneRouteIsAnError) {
  const ConfigError e = load_one_error(R"(
admission:
  groups:
    - name: shared
routes:
  - name: api
    admission_group: shared
    admission:
      limit: {initial: 5}
)");
  EXPECT_EQ(e.key_path, "routes[0].admission_group");
  EXPECT_EQ(e.line, 7);
  EXPECT_TRUE(contains(e.message, "not both")) << e.message;
}

TEST(AdmissionConfig, DuplicateGroupNameIsAnError) {
  const ConfigError e = load_one_error(R"(
admission:
  groups:
    - name: g
    - name: g
routes:
  - name: r
    admission_group: g
)");
  EXPECT_EQ(e.key_path, "admission.groups[1].name");
  EXPECT_TRUE(contains(e.message, "duplicate")) << e.message;
}

TEST(AdmissionConfig, RouteNamedLikeASharedGroupNeedsAChoice) {
  const ConfigError e = load_one_error(R"(
admission:
  groups:
    - name: api
routes:
  - name: api
)");
  EXPECT_EQ(e.key_path, "routes[0].name");
  EXPECT_TRUE(contains(e.message, "admission_group: api")) << e.message;
}

TEST(AdmissionConfig, LimitMinAboveMaxIsAnError) {
  const ConfigError e = load_one_error(R"(
admission:
  limit:
    min: 100
    max: 10
)");
  EXPECT_EQ(e.key_path, "admission.limit");
  EXPECT_EQ(e.line, 4);  // the limit block, where the fix goes
  EXPECT_TRUE(contains(e.message, "limit.max must be at least limit.min")) << e.message;
}

TEST(AdmissionConfig, LimitMinAboveMaxInARouteNamesTheRoute) {
  const ConfigError e = load_one_error(R"(
routes:
  - name: api
    admission:
      limit: {min: 100, max: 10}
)");
  EXPECT_EQ(e.key_path.rfind("routes[0].admission", 0), 0u) << e.key_path;
  EXPECT_TRUE(contains(e.message, "limit.max must be at least limit.min")) << e.message;
}

TEST(AdmissionConfig, LimitMinAboveMaxInASharedGroupNamesTheGroup) {
  const ConfigError e = load_one_error(R"(
admission:
  groups:
    - name: g
      limit: {min: 100, max: 10}
routes:
  - name: r
    admission_group: g
)");
  EXPECT_EQ(e.key_path.rfind("admission.groups[0]", 0), 0u) << e.key_path;
  EXPECT_TRUE(contains(e.message, "limit.max must be at least limit.min")) << e.message;
}

TEST(AdmissionConfig, FixedLimitIgnoresMinAndMax) {
  const Config c = load_ok("admission: {limit: {kind: fixed, initial: 16, min: 100, max: 10}}");
  EXPECT_EQ(c.admission.defaults.limit.initial, 16u);
}

TEST(AdmissionConfig, RetryAfterMaxBelowMinIsAnError) {
  const ConfigError e = load_one_error("admission:\n  retry_after: {min: 10s, max: 1s}\n");
  EXPECT_EQ(e.key_path.rfind("admission", 0), 0u) << e.key_path;
  EXPECT_TRUE(contains(e.message, "retry_after_max")) << e.message;
}

TEST(AdmissionConfig, OutOfRangeNumberGivesTheRange) {
  const ConfigError e = load_one_error("admission:\n  critical_reserved_share: 0.95\n");
  EXPECT_EQ(e.key_path, "admission.critical_reserved_share");
  EXPECT_TRUE(contains(e.message, "a number from 0 to 0.9")) << e.message;
}

}  // namespace
}  // namespace levee::config
