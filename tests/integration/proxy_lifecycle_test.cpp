// levee as a process: its command line, its admin endpoints, and a SIGTERM drain that lets the
// request in flight finish.

#include "support/stack.h"

#include <gtest/gtest.h>

#include <csignal>
#include <future>
#include <thread>
#include <vector>

namespace levee::testing {
namespace {
using namespace std::chrono_literals;

TEST(LeveeCommandLine, VersionPrintsAndExitsZero) {
  ChildProcess levee(levee_binary(), {"--version"});
  EXPECT_EQ(levee.wait(5s), 0);
  EXPECT_NE(levee.output().find("levee 0."), std::string::npos) << levee.output();
}

TEST(LeveeCommandLine, CheckAcceptsAGoodConfig) {
  const auto path = write_temp_file("good.yaml", "listener:\n  address: 127.0.0.1:8080\n");
  ChildProcess levee(levee_binary(), {"check", path});
  EXPECT_EQ(levee.wait(5s), 0) << levee.output();
}

TEST(LeveeCommandLine, CheckNamesFileLineAndKeyOfABadConfig) {
  const auto path = write_temp_file("bad.yaml", "listener:\n  adress: 127.0.0.1:8080\n");
  ChildProcess levee(levee_binary(), {"check", path});
  EXPECT_EQ(levee.wait(5s), 1);
  const auto& out = levee.output();
  EXPECT_NE(out.find(path + ":2:"), std::string::npos) << out;
  EXPECT_NE(out.find("listener.adress"), std::string::npos) << out;
  EXPECT_NE(out.find("address"), std::string::npos) << out;  // the suggestion
}

TEST(LeveeCommandLine, RunRefusesABadConfig) {
  const auto path = write_temp_file("bad.yaml", "server:\n  drain_timeout: soon\n");
  ChildProcess levee(levee_binary(), {"--config", path});
  EXPECT_EQ(levee.wait(5s), 1);
  EXPECT_NE(levee.output().find("server.drain_timeout"), std::string::npos) << levee.output();
}

TEST(LeveeCommandLine, RunRefusesToPinAWorkerToACpuItMayNotUse) {
  // CPU 8191 is a valid CPU number that no machine running this test lets levee use.
  const auto path = write_temp_file("pinned.yaml",
                                    "server:\n  threads: 1\n  cpu_affinity: \"8191\"\n"
                                    "listener:\n  address: 127.0.0.1:0\nadmin:\n  address: 127.0.0.1:0\n");
  ChildProcess levee(levee_binary(), {"--config", path});
  EXPECT_EQ(levee.wait(5s), 1);
  EXPECT_NE(levee.output().find("server.cpu_affinity: CPU 8191 is not one levee may run on"), std::string::npos)
      << levee.output();
}

TEST(LeveeAdmin, EndpointsAnswer) {
  auto backend = start_backend();
  auto levee = start_levee(basic_config("127.0.0.1:" + std::to_string(backend.port)));
  EXPECT_EQ(fetch(levee.port, "GET", "/").status, 200u);
  EXPECT_EQ(fetch(levee.admin_port, "GET", "/healthz").status, 200u);
  EXPECT_EQ(fetch(levee.admin_port, "GET", "/readyz").status, 200u);
  // The response is counted right after it is written: poll (bounded) rather than race it.
  Response metrics;
  for (int i = 0; i < 100; ++i) {
    metrics = fetch(levee.admin_port, "GET", "/metrics");
    if (metrics.body.find("levee_requests_total{code_class=\"2xx\",route=\"default\"} 1") != std::string::npos) break;
    std::this_thread::sleep_for(10ms);
  }
  EXPECT_EQ(metrics.status, 200u);
  EXPECT_NE(metrics.body.find("levee_requests_total{code_class=\"2xx\",route=\"default\"} 1"), std::string::npos)
      << metrics.body;
  EXPECT_NE(metrics.body.find("levee_request_duration_seconds_bucket"), std::string::npos);
  EXPECT_NE(metrics.body.find("levee_upstream_connections{state=\"open\",upstream=\"backend\"}"), std::string::npos);
  const auto config = fetch(levee.admin_port, "GET", "/config");
  EXPECT_EQ(config.status, 200u);
  EXPECT_NE(config.body.find("backend"), std::string::npos) << config.body;
  EXPECT_EQ(fetch(levee.admin_port, "GET", "/nope").status, 404u);
}

TEST(LeveeDrain, SigtermFinishesTheRequestInFlightThenExitsZero) {
  auto backend = start_backend();
  auto levee = start_levee(basic_config("127.0.0.1:" + std::to_string(backend.port)));
  auto in_flight = std::async(std::launch::async, [&] { return fetch(levee.port, "GET", "/slow?ms=1500"); });
  // Wait (bounded) until levee holds the request, then ask it to stop.
  bool seen = false;
  for (int i = 0; i < 200 && !seen; ++i) {
    seen = metric_value(levee.admin_port, "levee_in_flight_requests") == 1.0;
    if (!seen) std::this_thread::sleep_for(10ms);
  }
  ASSERT_TRUE(seen);
  levee.process->signal(SIGTERM);
  ASSERT_TRUE(levee.process->wait_for_line("draining", 5s)) << levee.process->output();
  const auto response = in_flight.get();
  EXPECT_EQ(response.status, 200u);
  EXPECT_FALSE(response.keep_alive);  // told to go elsewhere once it is done
  EXPECT_EQ(levee.process->wait(10s), 0) << levee.process->output();
}

TEST(LeveeDrain, ReadinessTurns503DuringTheDrainDelay) {
  auto backend = start_backend();
  std::string yaml = basic_config("127.0.0.1:" + std::to_string(backend.port));
  const std::string timeout_line = "  drain_timeout: 5s\n";
  yaml.replace(yaml.find(timeout_line), timeout_line.size(), timeout_line + "  drain_delay: 1s\n");
  auto levee = start_levee(yaml);
  EXPECT_EQ(fetch(levee.admin_port, "GET", "/readyz").status, 200u);
  levee.process->signal(SIGTERM);
  ASSERT_TRUE(levee.process->wait_for_line("draining", 5s));
  EXPECT_EQ(fetch(levee.admin_port, "GET", "/readyz").status, 503u);
  // Still serving new connections during the delay: the load balancer needs time to notice.
  const auto during_delay = fetch(levee.port, "GET", "/");
  EXPECT_EQ(during_delay.status, 200u);
  EXPECT_FALSE(during_delay.keep_alive);
  EXPECT_EQ(levee.process->wait(10s), 0);
}

// A second SIGTERM ends the drain at once (server.cpp: "exiting without waiting"): the worker
// io_contexts are then destroyed while a gate still holds queued waiters with their timers, a
// request is in flight with its permit, and a response streams to a client that stopped
// reading (its transfer-rate timer armed). That must exit 0 with no sanitizer report (leaks,
// use after free), which the Levee destructor checks as well; run it under ASan to mean it.
TEST(LeveeDrain, ASecondSigtermWhileRequestsAreQueuedExitsCleanly) {
  auto backend = start_backend({"--workers", "4"});
  std::string yaml = basic_config("127.0.0.1:" + std::to_string(backend.port),
                                  "  max_buffered_response_body: 1KiB\n");
  const std::string timeout_line = "  drain_timeout: 5s\n";
  // The delay keeps the queue in place after the first SIGTERM (it is answered only when the
  // listener closes), so the second one finds waiters in the gate.
  yaml.replace(yaml.find(timeout_line), timeout_line.size(), "  drain_timeout: 20s\n  drain_delay: 10s\n");
  yaml += "admission:\n  limit: {kind: fixed, initial: 1}\n  queue: {max_length: 8, max_wait: 20s, codel_target: 0ms}\n"
          "  collapse: {enabled: false}\n  critical_reserved_share: 0\n"
          // The stream has a group (and a slot) of its own.
          "routes:\n  - name: stream\n    path_prefix: /bytes\n    upstream: backend\n"
          "  - name: default\n    path_prefix: /\n    upstream: backend\n";
  auto levee = start_levee(yaml);
  const auto queue_length = R"(levee_admission_queue_length{group="default"})";

  // Every client is bounded by its own timeout; their answers do not matter, only levee's exit.
  auto holder = std::async(std::launch::async, [&] { return fetch(levee.port, "GET", "/slow?ms=15000"); });
  bool held = false;
  for (int i = 0; i < 500 && !held; ++i) {
    held = metric_value(levee.admin_port, R"(levee_admission_in_flight{group="default"})") == 1;
    if (!held) std::this_thread::sleep_for(10ms);
  }
  ASSERT_TRUE(held);
  std::vector<std::unique_ptr<TestClient>> queued;
  for (int i = 0; i < 4; ++i) {
    queued.push_back(std::make_unique<TestClient>(levee.port));
    queued.back()->send_raw("GET /headers?queued=" + std::to_string(i) + " HTTP/1.1\r\nHost: x\r\n\r\n");
  }
  TestClient stalled_reader(levee.port);
  stalled_reader.send_raw("GET /bytes?n=134217728 HTTP/1.1\r\nHost: x\r\n\r\n");
  bool all_queued = false;
  for (int i = 0; i < 500 && !all_queued; ++i) {
    all_queued = metric_value(levee.admin_port, queue_length) == 4;
    if (!all_queued) std::this_thread::sleep_for(10ms);
  }
  ASSERT_TRUE(all_queued);

  levee.process->signal(SIGTERM);
  ASSERT_TRUE(levee.process->wait_for_line("draining", 5s)) << levee.process->output();
  EXPECT_EQ(metric_value(levee.admin_port, queue_length), 4);  // still queued: the delay runs
  levee.process->signal(SIGTERM);
  ASSERT_TRUE(levee.process->wait_for_line("second stop signal", 5s)) << levee.process->output();
  EXPECT_EQ(levee.process->wait(15s), 0) << levee.process->output();
  EXPECT_EQ(sanitizer_report(levee.process->output()), "") << levee.process->output();
  for (auto& client : queued) client->close();
  stalled_reader.close();
  holder.wait();
}

}  // namespace
}  // namespace levee::testing
