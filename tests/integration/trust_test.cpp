// Client-supplied signals must not buy capacity (issue 13, "Trust"): real levee in front of the
// real backend. What the service receives is read back from the backend's /headers echo; what
// levee decided is read from its shed counters. Every wait is a bounded poll of levee's metrics.
#include <gtest/gtest.h>

#include <future>
#include <thread>

#include "support/stack.h"
#include "support/waits.h"
#include "support/test_client.h"

namespace levee::testing {
namespace {
using namespace std::chrono_literals;

constexpr std::string_view kSecret = "integration-secret-0123456789";

// Appends rather than chaining operator+, which trips GCC 12's false -Wrestrict (bug 105329).
std::string joined(std::initializer_list<std::string_view> pieces) {
  std::string out;
  for (const std::string_view piece : pieces) out.append(piece);
  return out;
}

// The backend's /headers echo has one "Name: value" per line, after the request line.
bool has_line(const std::string& echo, std::string_view line) {
  return echo.find(joined({"\n", line, "\n"})) != std::string::npos;
}

bool has_field(const std::string& echo, std::string_view name) {
  return echo.find(joined({"\n", name, ":"})) != std::string::npos;
}

std::string shed_series(std::string_view priority, std::string_view reason) {
  return joined({R"(levee_shed_total{group="default",priority=")", priority, R"(",reason=")", reason, R"("})"});
}

// One slot and one queue place, without CoDel or a critical reserve: whether a newcomer may
// displace the waiter depends on its class alone. The secret comes from the environment.
Levee start_one_slot_levee(unsigned short backend_port) {
  const std::string yaml = basic_config("127.0.0.1:" + std::to_string(backend_port)) +
                           "admission:\n"
                           "  limit: {kind: fixed, initial: 1}\n"
                           "  queue: {max_length: 1, max_wait: 5s, codel_target: 0s}\n"
                           "  collapse: {enabled: false}\n"
                           "  critical_reserved_share: 0\n"
                           "priority_trust:\n"
                           "  secret_header: levee-trust\n"
                           "  secret: \"${LEVEE_TEST_PRIORITY_SECRET}\"\n";
  return start_levee(yaml, {joined({"LEVEE_TEST_PRIORITY_SECRET=", kSecret})});
}

// The group's one slot held by a slow request and its one queue place taken by `waiter`.
struct FullGroup {
  std::future<Response> holder;
  std::future<Response> waiter;
};

FullGroup fill_the_group(const Levee& levee) {
  FullGroup full;
  full.holder = std::async(std::launch::async, [&] { return fetch(levee.port, "GET", "/slow?ms=1000"); });
  EXPECT_TRUE(wait_for_metric(levee.admin_port, R"(levee_admission_in_flight{group="default"})", 1));
  full.waiter = std::async(std::launch::async, [&] { return fetch(levee.port, "GET", "/headers?waiter"); });
  EXPECT_TRUE(wait_for_metric(levee.admin_port, R"(levee_admission_queue_length{group="default"})", 1));
  return full;
}

TEST(PriorityTrust, AnUntrustedClientClaimingCriticalIsTreatedAsTheRouteClass) {
  auto backend = start_backend();
  auto levee = start_one_slot_levee(backend.port);
  // Honoured, "critical" would displace the queued waiter; refused, the claimant finds the queue full.
  FullGroup full = fill_the_group(levee);
  const auto claimant = fetch(levee.port, "GET", "/headers?claimant", {}, {{"levee-priority", "critical"}});
  EXPECT_EQ(claimant.status, 429u);
  EXPECT_EQ(claimant.header("levee-shed"), "queue_full");
  EXPECT_EQ(full.holder.get().status, 200u);
  EXPECT_EQ(full.waiter.get().status, 200u);
  EXPECT_EQ(metric_value(levee.admin_port, shed_series("default", "queue_full")), 1);
  EXPECT_EQ(metric_value(levee.admin_port, shed_series("default", "priority")), 0);

  // With room, the claim is forwarded as the class levee applied: the service is not told otherwise.
  const auto served = fetch(levee.port, "GET", "/headers", {}, {{"levee-priority", "critical"}});
  ASSERT_EQ(served.status, 200u);
  EXPECT_TRUE(has_line(served.body, "levee-priority: default")) << served.body;
  // Lowering is anyone's right.
  const auto lowered = fetch(levee.port, "GET", "/headers", {}, {{"levee-priority", "sheddable"}});
  EXPECT_TRUE(has_line(lowered.body, "levee-priority: sheddable")) << lowered.body;
}

TEST(PriorityTrust, TheSharedSecretMakesAClaimCountAndIsNeverForwarded) {
  auto backend = start_backend();
  auto levee = start_one_slot_levee(backend.port);
  FullGroup full = fill_the_group(levee);
  auto claimant = std::async(std::launch::async, [&] {
    return fetch(levee.port, "GET", "/headers?claimant", {},
                 {{"levee-priority", "critical"}, {"levee-trust", std::string(kSecret)}});
  });
  const auto displaced = full.waiter.get();
  EXPECT_EQ(displaced.status, 429u);
  EXPECT_EQ(displaced.header("levee-shed"), "priority");
  EXPECT_EQ(full.holder.get().status, 200u);
  const auto served = claimant.get();
  ASSERT_EQ(served.status, 200u);
  EXPECT_TRUE(has_line(served.body, "levee-priority: critical")) << served.body;
  EXPECT_FALSE(has_field(served.body, "levee-trust")) << served.body;

  const auto wrong = fetch(levee.port, "GET", "/headers", {}, {{"levee-priority", "critical"}, {"levee-trust", "guess"}});
  EXPECT_TRUE(has_line(wrong.body, "levee-priority: default")) << wrong.body;
  EXPECT_FALSE(has_field(wrong.body, "levee-trust")) << wrong.body;
}

const std::vector<std::pair<std::string, std::string>> kForwardingClaims{
    {"X-Forwarded-For", "10.1.2.3"},       {"X-Forwarded-Proto", "https"},
    {"Forwarded", "for=10.1.2.3"},         {"X-Real-IP", "10.1.2.3"},
    {"X-Forwarded-Host", "admin.internal"}};

TEST(ForwardingHeaders, FromAnUntrustedPeerTheyAreReplacedByWhatLeveeKnows) {
  auto backend = start_backend();
  auto levee = start_levee(basic_config("127.0.0.1:" + std::to_string(backend.port)));
  const auto response = fetch(levee.port, "GET", "/headers", {}, kForwardingClaims);
  ASSERT_EQ(response.status, 200u);
  const std::string& seen = response.body;
  EXPECT_TRUE(has_line(seen, "X-Forwarded-For: 127.0.0.1")) << seen;
  EXPECT_TRUE(has_line(seen, "X-Forwarded-Proto: http")) << seen;
  for (const auto* name : {"Forwarded", "X-Real-IP", "X-Forwarded-Host"}) EXPECT_FALSE(has_field(seen, name)) << name << "\n" << seen;
}

TEST(ForwardingHeaders, FromATrustedProxyTheyAreExtended) {
  auto backend = start_backend();
  auto levee = start_levee(basic_config("127.0.0.1:" + std::to_string(backend.port)) +
                           "trusted_proxies: [127.0.0.0/8, \"::1\"]\n");
  const auto response = fetch(levee.port, "GET", "/headers", {}, kForwardingClaims);
  ASSERT_EQ(response.status, 200u);
  const std::string& seen = response.body;
  EXPECT_TRUE(has_line(seen, "X-Forwarded-For: 10.1.2.3, 127.0.0.1")) << seen;
  EXPECT_TRUE(has_line(seen, "X-Forwarded-Proto: https")) << seen;
  EXPECT_TRUE(has_line(seen, "Forwarded: for=10.1.2.3")) << seen;
  EXPECT_TRUE(has_line(seen, "X-Real-IP: 10.1.2.3")) << seen;
  EXPECT_TRUE(has_line(seen, "X-Forwarded-Host: admin.internal")) << seen;
}

TEST(PathNormalisation, WhatIsRoutedIsTheNormalPathAndThatIsWhatIsForwarded) {
  auto backend = start_backend();
  auto levee = start_levee(basic_config("127.0.0.1:" + std::to_string(backend.port)) +
                           "routes:\n  - name: echo\n    path_prefix: /headers\n    upstream: backend\n");
  // Raw, this path matches no route; normal ("/headers"), it is the echo route's, and the
  // service receives exactly the path that was matched, with the query as it came.
  const auto echoed = fetch(levee.port, "GET", "/x/./../%68eaders?q=/../y");
  ASSERT_EQ(echoed.status, 200u) << echoed.body;
  EXPECT_TRUE(echoed.body.starts_with("GET /headers?q=/../y HTTP/1.1\n")) << echoed.body;
  // Raw, this path starts with the echo route's prefix; normal, it is another path with no route.
  const auto escaped = fetch(levee.port, "GET", "/headers/%2e%2e/admin");
  EXPECT_EQ(escaped.status, 404u);
  EXPECT_EQ(escaped.header("levee-error"), "no route");
  EXPECT_EQ(fetch(levee.port, "GET", "/headers/..%2Fadmin").status, 400u);
  EXPECT_EQ(fetch(levee.port, "GET", "/headers/../../etc/passwd").status, 400u);
}

}  // namespace
}  // namespace levee::testing
