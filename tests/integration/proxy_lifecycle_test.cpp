// levee as a process: its command line, its admin endpoints, and a SIGTERM drain that lets the
// request in flight finish.

#include "support/stack.h"

#include <gtest/gtest.h>

#include <csignal>
#include <future>

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

}  // namespace
}  // namespace levee::testing
