// The overload guard end to end: real levee in front of the real backend. Concurrency is
// created with slow backend requests (/slow?ms=N holds a permit for N ms); every wait is a
// bounded poll of levee's own metrics, never a bare sleep.
#include <gtest/gtest.h>

#include <csignal>
#include <fstream>
#include <future>
#include <thread>

#include "support/child_process.h"
#include "support/stack.h"
#include "support/waits.h"
#include "support/test_client.h"

namespace levee::testing {
namespace {
using namespace std::chrono_literals;

std::string guarded_config(unsigned short backend_port, const std::string& admission) {
  return basic_config("127.0.0.1:" + std::to_string(backend_port)) + "admission:\n" + admission;
}

const std::string in_flight = R"(levee_admission_in_flight{group="default"})";

std::string fixed_limit(unsigned limit, unsigned queue, const std::string& max_wait = "1s") {
  return "  limit: {kind: fixed, initial: " + std::to_string(limit) + "}\n  queue: {max_length: " +
         std::to_string(queue) + ", max_wait: " + max_wait + "}\n  collapse: {enabled: false}\n" +
         "  critical_reserved_share: 0\n";
}

TEST(AdmissionGuard, OverTheLimitWithoutAQueueGets429WithRetryAfterAndProblemJson) {
  auto backend = start_backend();
  auto levee = start_levee(guarded_config(backend.port, fixed_limit(1, 0)));
  auto holder = std::async(std::launch::async, [&] { return fetch(levee.port, "GET", "/slow?ms=800"); });
  ASSERT_TRUE(wait_for_metric(levee.admin_port, in_flight, 1));

  const auto shed = fetch(levee.port, "GET", "/", {}, {{"Accept", "application/json"}});
  EXPECT_EQ(shed.status, 429u);
  EXPECT_EQ(shed.header("levee-shed"), "over_limit");
  EXPECT_EQ(shed.header("levee-overloaded"), "true");
  EXPECT_GE(std::stoi(shed.header("Retry-After")), 1);
  EXPECT_EQ(shed.header("Content-Type"), "application/problem+json");
  EXPECT_NE(shed.body.find(R"("reason":"over_limit")"), std::string::npos) << shed.body;
  EXPECT_TRUE(shed.keep_alive);  // a shed is not an error of the connection

  const auto page = fetch(levee.port, "GET", "/", {}, {{"Accept", "text/html,application/xhtml+xml"}});
  EXPECT_EQ(page.status, 429u);
  EXPECT_NE(page.header("Content-Type").find("text/html"), std::string::npos);
  EXPECT_NE(page.body.find("<title>"), std::string::npos) << page.body;

  EXPECT_EQ(holder.get().status, 200u);
  EXPECT_EQ(metric_value(levee.admin_port, R"(levee_shed_total{group="default",priority="default",reason="over_limit"})"), 2);
}

TEST(AdmissionGuard, AQueuedRequestGetsThePermitWhenTheFirstFinishes) {
  auto backend = start_backend();
  // CoDel off, so the waiter may stand as long as a slow machine makes it (a standing queue
  // would otherwise be shed as stale after target + interval, 250 ms).
  auto levee = start_levee(guarded_config(backend.port, fixed_limit(1, 4, "10s, codel_target: 0ms")));
  auto first = std::async(std::launch::async, [&] { return fetch(levee.port, "GET", "/slow?ms=1500"); });
  ASSERT_TRUE(wait_for_metric(levee.admin_port, in_flight, 1));
  auto second = std::async(std::launch::async, [&] { return fetch(levee.port, "GET", "/"); });
  // Seen queued behind the holder, not assumed from timing.
  ASSERT_TRUE(wait_for_metric(levee.admin_port, R"(levee_admission_queued_total{group="default"})", 1));
  EXPECT_EQ(first.get().status, 200u);
  const auto queued = second.get();
  EXPECT_EQ(queued.status, 200u) << queued.header("levee-shed");
  EXPECT_EQ(metric_value(levee.admin_port, R"(levee_admission_queued_total{group="default"})"), 1);
}

TEST(AdmissionGuard, AQueuedRequestIsShedAtItsMaximumWait) {
  auto backend = start_backend();
  auto levee = start_levee(guarded_config(backend.port, fixed_limit(1, 4, "200ms")));
  auto holder = std::async(std::launch::async, [&] { return fetch(levee.port, "GET", "/slow?ms=4000"); });
  ASSERT_TRUE(wait_for_metric(levee.admin_port, in_flight, 1));
  const auto before = std::chrono::steady_clock::now();
  const auto shed = fetch(levee.port, "GET", "/");
  const auto waited = std::chrono::steady_clock::now() - before;
  EXPECT_EQ(shed.status, 429u);
  EXPECT_EQ(shed.header("levee-shed"), "queue_timeout");
  // Shed at its bound, not when the holder finished: the holder is still at the service. The
  // time bound is only a backstop (TSan on two cores: ~50x the 200 ms max_wait's overhead).
  EXPECT_EQ(holder.wait_for(0s), std::future_status::timeout);
  EXPECT_LT(waited, 3000ms);
  EXPECT_EQ(holder.get().status, 200u);
}

TEST(AdmissionGuard, AWaiterWhoseClientLeftNeverReachesTheService) {
  auto backend = start_backend();
  auto levee = start_levee(guarded_config(backend.port, fixed_limit(1, 8, "5s")));
  auto holder = std::async(std::launch::async, [&] { return fetch(levee.port, "GET", "/slow?ms=700"); });
  ASSERT_TRUE(wait_for_metric(levee.admin_port, in_flight, 1));
  {
    TestClient impatient(levee.port);
    impatient.send_raw("GET /headers?impatient HTTP/1.1\r\nHost: x\r\n\r\n");
    ASSERT_TRUE(wait_for_metric(levee.admin_port, R"(levee_admission_queue_length{group="default"})", 1));
    impatient.close();
  }
  ASSERT_TRUE(wait_for_metric(levee.admin_port, R"(levee_admission_queue_length{group="default"})", 0));
  EXPECT_EQ(holder.get().status, 200u);
  EXPECT_EQ(metric_value(levee.admin_port, R"(levee_shed_total{group="default",priority="default",reason="client_gone"})"), 1);
  // The backend saw the holder and this stats request only.
  const auto stats = fetch(backend.port, "GET", "/stats");
  EXPECT_NE(stats.body.find(R"("requests_total":2)"), std::string::npos) << stats.body;
}

// The client's next request arrives while the first is queued and stays unread in the kernel
// (levee reads it only after the first is answered); then the client leaves. The readable
// socket must not hide the departure: the waiter is shed client_gone long before the holder
// finishes, and neither request reaches the service.
TEST(AdmissionGuard, AWaiterWhoseClientPipelinedMoreAndLeftNeverReachesTheService) {
  auto backend = start_backend();
  // CoDel off: the waiter must leave because its client did, not because it stood too long.
  auto levee = start_levee(guarded_config(backend.port, fixed_limit(1, 8, "10s, codel_target: 0ms")));
  auto holder = std::async(std::launch::async, [&] { return fetch(levee.port, "GET", "/slow?ms=3000"); });
  ASSERT_TRUE(wait_for_metric(levee.admin_port, in_flight, 1));
  {
    TestClient impatient(levee.port);
    impatient.send_raw("GET /headers?impatient HTTP/1.1\r\nHost: x\r\n\r\n");
    ASSERT_TRUE(wait_for_metric(levee.admin_port, R"(levee_admission_queue_length{group="default"})", 1));
    impatient.send_raw("GET /headers?pipelined HTTP/1.1\r\nHost: x\r\n\r\n");
    // Long enough for levee to have seen the bytes (and, before the fix, stopped watching)
    // before the client leaves.
    std::this_thread::sleep_for(300ms);
    impatient.close();
  }
  ASSERT_TRUE(wait_for_metric(levee.admin_port, R"(levee_admission_queue_length{group="default"})", 0));
  EXPECT_EQ(holder.wait_for(0s), std::future_status::timeout) << "seen gone only when the permit came";
  EXPECT_EQ(metric_value(levee.admin_port, R"(levee_shed_total{group="default",priority="default",reason="client_gone"})"), 1);
  EXPECT_EQ(holder.get().status, 200u);
  const auto stats = fetch(backend.port, "GET", "/stats");
  EXPECT_NE(stats.body.find(R"("requests_total":2)"), std::string::npos) << stats.body;
}

// The same with a body too large to be read before admission (over
// max_buffered_request_body): it arrives whole while the request is queued, stays unread, and
// the client leaves.
TEST(AdmissionGuard, AWaiterWhoseClientSentItsWholeBodyAndLeftNeverReachesTheService) {
  auto backend = start_backend();
  // CoDel off: the waiter must leave because its client did, not because it stood too long.
  auto levee = start_levee(guarded_config(backend.port, fixed_limit(1, 8, "10s, codel_target: 0ms")));
  auto holder = std::async(std::launch::async, [&] { return fetch(levee.port, "GET", "/slow?ms=3000"); });
  ASSERT_TRUE(wait_for_metric(levee.admin_port, in_flight, 1));
  {
    TestClient impatient(levee.port);
    impatient.send_raw("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 70000\r\n\r\n");
    ASSERT_TRUE(wait_for_metric(levee.admin_port, R"(levee_admission_queue_length{group="default"})", 1));
    impatient.send_raw(std::string(70000, 'b'));
    impatient.close();
  }
  ASSERT_TRUE(wait_for_metric(levee.admin_port, R"(levee_admission_queue_length{group="default"})", 0));
  EXPECT_EQ(holder.wait_for(0s), std::future_status::timeout) << "seen gone only when the permit came";
  EXPECT_EQ(metric_value(levee.admin_port, R"(levee_shed_total{group="default",priority="default",reason="client_gone"})"), 1);
  EXPECT_EQ(holder.get().status, 200u);
  const auto stats = fetch(backend.port, "GET", "/stats");
  EXPECT_NE(stats.body.find(R"("requests_total":2)"), std::string::npos) << stats.body;
}

TEST(AdmissionGuard, ClientRetriesAreShedFirstWhileTheGroupIsFull) {
  auto backend = start_backend();
  auto levee = start_levee(guarded_config(backend.port, fixed_limit(2, 8, "2s")));
  // Long enough to still hold both slots when the retry arrives, however slow the machine.
  auto holder = std::async(std::launch::async, [&] { return fetch(levee.port, "GET", "/slow?ms=2000"); });
  auto holder2 = std::async(std::launch::async, [&] { return fetch(levee.port, "GET", "/slow?ms=2000"); });
  ASSERT_TRUE(wait_for_metric(levee.admin_port, in_flight, 2));
  const auto retry = fetch(levee.port, "GET", "/", {}, {{"Retry-Attempt", "1"}});
  EXPECT_EQ(retry.status, 429u);
  EXPECT_EQ(retry.header("levee-shed"), "retry_shed");
  EXPECT_EQ(holder.get().status, 200u);
  EXPECT_EQ(holder2.get().status, 200u);
}

TEST(AdmissionGuard, ARequestThatCannotStartBeforeItsDeadlineIsShed) {
  auto backend = start_backend();
  auto levee = start_levee(guarded_config(backend.port, fixed_limit(1, 8, "5s")));
  auto holder = std::async(std::launch::async, [&] { return fetch(levee.port, "GET", "/slow?ms=3000"); });
  ASSERT_TRUE(wait_for_metric(levee.admin_port, in_flight, 1));
  const auto before = std::chrono::steady_clock::now();
  const auto shed = fetch(levee.port, "GET", "/", {}, {{"levee-timeout", "100ms"}});
  EXPECT_EQ(shed.status, 429u);
  EXPECT_EQ(shed.header("levee-shed"), "deadline");
  // Shed by its own deadline while the holder still runs, not when the slot came free.
  EXPECT_EQ(holder.wait_for(0s), std::future_status::timeout);
  EXPECT_LT(std::chrono::steady_clock::now() - before, 2500ms);
  EXPECT_EQ(holder.get().status, 200u);
}

TEST(AdmissionGuard, DryRunForwardsEverythingAndCountsWhatItWouldShed) {
  auto backend = start_backend();
  auto levee = start_levee(guarded_config(backend.port, fixed_limit(1, 0) + "  dry_run: true\n"));
  auto holder = std::async(std::launch::async, [&] { return fetch(levee.port, "GET", "/slow?ms=2000"); });
  ASSERT_TRUE(wait_for_metric(levee.admin_port, in_flight, 1));
  EXPECT_EQ(fetch(levee.port, "GET", "/").status, 200u);
  EXPECT_EQ(holder.get().status, 200u);
  EXPECT_EQ(metric_value(levee.admin_port, R"(levee_dry_run_would_shed_total{group="default",reason="over_limit"})"), 1);
}

TEST(AdmissionGuard, StateShowsEachGroupLive) {
  auto backend = start_backend();
  auto levee = start_levee(guarded_config(backend.port, fixed_limit(7, 3)));
  const auto state = fetch(levee.admin_port, "GET", "/state");
  EXPECT_EQ(state.status, 200u);
  EXPECT_EQ(state.header("Content-Type"), "application/json");
  EXPECT_NE(state.body.find(R"("name":"default")"), std::string::npos) << state.body;
  EXPECT_NE(state.body.find(R"("limit":7)"), std::string::npos) << state.body;
}

TEST(AdmissionReload, SighupAppliesNewThresholdsAndABadFileKeepsTheOldOnes) {
  auto backend = start_backend();
  auto levee = start_levee(guarded_config(backend.port, fixed_limit(7, 3)));
  auto rewrite = [&](const std::string& yaml) { std::ofstream(levee.config_path, std::ios::trunc) << yaml; };

  rewrite(guarded_config(backend.port, fixed_limit(9, 3)));
  levee.process->signal(SIGHUP);
  ASSERT_TRUE(levee.process->wait_for_line("reloaded", 5s)) << levee.process->output();
  EXPECT_NE(fetch(levee.admin_port, "GET", "/state").body.find(R"("limit":9)"), std::string::npos);

  rewrite(guarded_config(backend.port, fixed_limit(9, 3) + "  limit_typo: 1\n"));
  const auto refused = fetch(levee.admin_port, "POST", "/reload");
  EXPECT_EQ(refused.status, 400u);
  EXPECT_NE(refused.body.find("limit_typo"), std::string::npos) << refused.body;
  EXPECT_NE(fetch(levee.admin_port, "GET", "/state").body.find(R"("limit":9)"), std::string::npos);
  EXPECT_EQ(fetch(levee.port, "GET", "/").status, 200u);

  rewrite(basic_config("127.0.0.1:1"));  // another upstream address: needs a restart
  EXPECT_EQ(fetch(levee.admin_port, "POST", "/reload").status, 409u);
  EXPECT_EQ(fetch(levee.port, "GET", "/").status, 200u);
}

TEST(AdmissionGuard, ASlowUploadHoldsNoPermitUntilItsBodyIsIn) {
  auto backend = start_backend();
  auto levee = start_levee(guarded_config(backend.port, fixed_limit(1, 0)));
  TestClient slow(levee.port);
  // Half of a small body, then nothing: a client uploading a byte a second.
  slow.send_raw("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n" + std::string(500, 'a'));
  // The only permit is not held by the slow upload: another caller is served.
  EXPECT_EQ(fetch(levee.port, "GET", "/").status, 200u);
  EXPECT_EQ(metric_value(levee.admin_port, in_flight), 0);
  slow.send_raw(std::string(500, 'a'));
  EXPECT_EQ(slow.read_response().status, 200u);
}

TEST(AdminSurface, ABrowserPageCannotReloadLeveeCrossSite) {
  auto backend = start_backend();
  auto levee = start_levee(basic_config("127.0.0.1:" + std::to_string(backend.port)));
  // What a page on another origin sends with fetch() or a form: an Origin header.
  const auto from_page = fetch(levee.admin_port, "POST", "/reload", {}, {{"Origin", "http://evil.example"}});
  EXPECT_EQ(from_page.status, 403u);
  // DNS rebinding: the page's own name, resolved to 127.0.0.1.
  const auto rebound = fetch(levee.admin_port, "POST", "/reload", {}, {{"Host", "evil.example:9901"}});
  EXPECT_EQ(rebound.status, 403u);
  EXPECT_EQ(fetch(levee.admin_port, "POST", "/reload").status, 200u);  // an operator's curl
  EXPECT_EQ(fetch(levee.admin_port, "GET", "/readyz", {}, {{"Origin", "http://evil.example"}}).status, 200u);
}

TEST(AdminSurface, WithATokenFileOnlyTheProbesAnswerWithoutTheToken) {
  auto backend = start_backend();
  const std::string token = "4f1c2a9e7b3d5c8a0e6f";
  const std::string token_path = write_temp_file("admin.token", token + "\n");  // echo's newline
  std::string yaml = basic_config("127.0.0.1:" + std::to_string(backend.port));
  const std::string admin_section = "admin:\n  address: 127.0.0.1:0\n";
  ASSERT_NE(yaml.find(admin_section), std::string::npos);
  yaml.replace(yaml.find(admin_section), admin_section.size(), admin_section + "  token_file: " + token_path + "\n");
  auto levee = start_levee(yaml);
  const std::vector<std::pair<std::string, std::string>> with_token{{"Authorization", "Bearer " + token}};

  const auto anonymous = fetch(levee.admin_port, "GET", "/metrics");
  EXPECT_EQ(anonymous.status, 401u);
  EXPECT_EQ(anonymous.header("www-authenticate"), "Bearer");
  EXPECT_EQ(fetch(levee.admin_port, "POST", "/reload").status, 401u);
  EXPECT_EQ(fetch(levee.admin_port, "GET", "/config", {}, {{"Authorization", "Bearer " + token + "x"}}).status, 401u);
  EXPECT_EQ(fetch(levee.admin_port, "GET", "/config", {}, {{"Authorization", "Basic " + token}}).status, 401u);

  EXPECT_EQ(fetch(levee.admin_port, "GET", "/metrics", {}, with_token).status, 200u);
  EXPECT_EQ(fetch(levee.admin_port, "POST", "/reload", {}, with_token).status, 200u);
  const auto config = fetch(levee.admin_port, "GET", "/config", {}, with_token);
  EXPECT_EQ(config.status, 200u);
  EXPECT_EQ(config.body.find(token), std::string::npos) << "the token itself is never shown";
  // Probes carry no token.
  EXPECT_EQ(fetch(levee.admin_port, "GET", "/healthz").status, 200u);
  EXPECT_EQ(fetch(levee.admin_port, "GET", "/readyz").status, 200u);
  // The proxy listener is not the admin listener: no token there.
  EXPECT_EQ(fetch(levee.port, "GET", "/").status, 200u);
}

TEST(AdmissionGuard, DrainAnswersQueuedRequestsAtOnceAndLetsTheOneInFlightFinish) {
  auto backend = start_backend();
  auto levee = start_levee(guarded_config(backend.port, fixed_limit(1, 4, "20s")));
  // Within drain_timeout (5 s) from the SIGTERM, yet longer than any slow machine needs to
  // answer the queued request.
  auto holder = std::async(std::launch::async, [&] { return fetch(levee.port, "GET", "/slow?ms=4000"); });
  ASSERT_TRUE(wait_for_metric(levee.admin_port, in_flight, 1));
  auto queued = std::async(std::launch::async, [&] { return fetch(levee.port, "GET", "/"); });
  ASSERT_TRUE(wait_for_metric(levee.admin_port, R"(levee_admission_queue_length{group="default"})", 1));

  levee.process->signal(SIGTERM);
  // Without the drain the queued request would wait for the holder (or its 20 s max wait).
  ASSERT_EQ(queued.wait_for(3500ms), std::future_status::ready);
  EXPECT_EQ(holder.wait_for(0s), std::future_status::timeout);  // answered before the holder
  const auto shed = queued.get();
  EXPECT_EQ(shed.status, 503u);
  EXPECT_EQ(shed.header("levee-shed"), "draining");
  EXPECT_EQ(holder.get().status, 200u);
  EXPECT_EQ(levee.process->wait(10s), 0) << levee.process->output();
}

TEST(AdmissionGuard, ACallerWhoLeavesAbortsTheExchangeAndFreesItsPermitAtOnce) {
  auto backend = start_backend();
  auto levee = start_levee(guarded_config(backend.port, fixed_limit(1, 0)));
  const std::string upstream_open = R"(levee_upstream_connections{state="open",upstream="backend"})";
  {
    TestClient client(levee.port);
    client.send_raw("GET /slow?ms=20000 HTTP/1.1\r\nHost: x\r\n\r\n");
    ASSERT_TRUE(wait_for_metric(levee.admin_port, in_flight, 1));
    client.close();  // the caller gives up long before the service would answer
  }
  // Well before the 20 s the service would take: the permit is back and the upstream
  // connection closed, so the service can stop the wasted work.
  ASSERT_TRUE(wait_for_metric(levee.admin_port, R"(levee_abandoned_total{route="default"})", 1));
  EXPECT_TRUE(wait_for_metric(levee.admin_port, in_flight, 0));
  EXPECT_TRUE(wait_for_metric(levee.admin_port, upstream_open, 0));
  EXPECT_EQ(fetch(levee.port, "GET", "/").status, 200u);
}

}  // namespace
}  // namespace levee::testing
