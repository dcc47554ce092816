// What a container platform reads from levee: /readyz following the upstream's health checks,
// and the build and process metrics on /metrics.

#include "support/stack.h"
#include "support/waits.h"

#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <functional>
#include <thread>

namespace levee::testing {
namespace {
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

std::unique_ptr<ChildProcess> backend_on(unsigned short port) {
  auto backend = std::make_unique<ChildProcess>(
      levee_load_binary(), std::vector<std::string>{"backend", "--listen", "127.0.0.1:" + std::to_string(port),
                                                    "--io-threads", "1"});
  if (!backend->wait_for_line("listening on ", 10s)) throw std::runtime_error("backend did not start: " + backend->output());
  return backend;
}

void stop(ChildProcess& process) {
  process.signal(SIGKILL);
  process.wait(5s);
}

std::string contains_line(const std::string& text, const std::string& part) {
  const auto at = text.find(part);
  if (at == std::string::npos) return {};
  return text.substr(at, text.find('\n', at) - at);
}

TEST(UpstreamHealthCheck, ReadyzFollowsTheUpstream) {
  // A port the backend will listen on later: nothing listens there when levee starts.
  unsigned short port = 0;
  {
    auto first = start_backend();
    port = first.port;
    stop(*first.process);
  }
  const std::string address = "127.0.0.1:" + std::to_string(port);
  auto levee = start_levee(basic_config(address, "", "    health_check: {path: /, interval: 100ms, timeout: 500ms, "
                                                     "unhealthy_threshold: 1}\n"));
  const auto healthy = [&] { return metric_value(levee.admin_port, "levee_upstream_healthy{upstream=\"backend\"}"); };

  // Not ready before the first probe passes, and says why.
  auto readyz = fetch(levee.admin_port, "GET", "/readyz");
  EXPECT_EQ(readyz.status, 503u);
  EXPECT_NE(readyz.body.find("upstream backend is not healthy"), std::string::npos) << readyz.body;
  EXPECT_EQ(healthy(), 0.0);
  ASSERT_TRUE(eventually([&] { return fetch(levee.admin_port, "GET", "/readyz").body.find("connect") != std::string::npos; }))
      << fetch(levee.admin_port, "GET", "/readyz").body;

  // The backend comes up: ready.
  auto backend = backend_on(port);
  ASSERT_TRUE(eventually([&] { return fetch(levee.admin_port, "GET", "/readyz").status == 200; }))
      << fetch(levee.admin_port, "GET", "/readyz").body;
  EXPECT_EQ(healthy(), 1.0);
  EXPECT_EQ(fetch(levee.port, "GET", "/").status, 200u);

  // The backend goes away: not ready again (unhealthy_threshold 1: the next failed probe).
  stop(*backend);
  ASSERT_TRUE(eventually([&] { return fetch(levee.admin_port, "GET", "/readyz").status == 503; }));
  EXPECT_EQ(healthy(), 0.0);
  EXPECT_NE(fetch(levee.admin_port, "GET", "/readyz").body.find("upstream backend is not healthy"), std::string::npos);
  EXPECT_NE(levee.process->output().find("upstream backend is not healthy"), std::string::npos);
}

TEST(UpstreamHealthCheck, ReadyzStays503WhileDrainingThoughTheUpstreamIsHealthy) {
  auto backend = start_backend();
  std::string yaml = basic_config("127.0.0.1:" + std::to_string(backend.port), "",
                                  "    health_check: {path: /, interval: 100ms}\n");
  const std::string timeout_line = "  drain_timeout: 5s\n";
  yaml.replace(yaml.find(timeout_line), timeout_line.size(), timeout_line + "  drain_delay: 1s\n");
  auto levee = start_levee(yaml);
  ASSERT_TRUE(eventually([&] { return fetch(levee.admin_port, "GET", "/readyz").status == 200; }));
  levee.process->signal(SIGTERM);
  ASSERT_TRUE(levee.process->wait_for_line("draining", 5s));
  const auto readyz = fetch(levee.admin_port, "GET", "/readyz");
  EXPECT_EQ(readyz.status, 503u);
  EXPECT_EQ(readyz.body, "draining\n");
}

TEST(UpstreamHealthCheck, UncheckedUpstreamsNeitherHoldReadinessNorGetTheGauge) {
  auto backend = start_backend();
  auto levee = start_levee(basic_config("127.0.0.1:" + std::to_string(backend.port)));
  EXPECT_EQ(fetch(levee.admin_port, "GET", "/readyz").status, 200u);
  EXPECT_EQ(fetch(levee.admin_port, "GET", "/metrics").body.find("levee_upstream_healthy{"), std::string::npos);
}

TEST(OperationsMetrics, BuildInfoAndProcessFamiliesHaveSaneValues) {
  auto backend = start_backend();
  auto levee = start_levee(basic_config("127.0.0.1:" + std::to_string(backend.port)));
  EXPECT_EQ(fetch(levee.port, "GET", "/").status, 200u);
  const std::string body = fetch(levee.admin_port, "GET", "/metrics").body;

  const std::string build_info = contains_line(body, "levee_build_info{");
  EXPECT_NE(build_info.find("version=\"0."), std::string::npos) << build_info;
  EXPECT_NE(build_info.find("boost=\"1."), std::string::npos) << build_info;
  EXPECT_EQ(build_info.substr(build_info.size() - 2), " 1") << build_info;

  const auto value = [&](const std::string& series) { return metric_value(levee.admin_port, series); };
  EXPECT_NE(body.find("# TYPE process_cpu_seconds_total counter"), std::string::npos) << body;
  EXPECT_GE(value("process_cpu_seconds_total"), 0.0);
  EXPECT_GT(value("process_resident_memory_bytes"), 1e6);
  EXPECT_GT(value("process_virtual_memory_bytes"), value("process_resident_memory_bytes"));
  const double open_fds = value("process_open_fds");
  EXPECT_GE(open_fds, 4.0);  // at least the listener, the admin listener and stdio
  EXPECT_GT(value("process_max_fds"), open_fds);
  const double now = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  EXPECT_NEAR(value("process_start_time_seconds"), now, 120.0);

  // The open-connection gauge and the accepted counter are two families with two names.
  EXPECT_NE(body.find("# TYPE levee_client_connections_open gauge"), std::string::npos) << body;
  EXPECT_NE(body.find("# TYPE levee_client_connections_total counter"), std::string::npos) << body;
  EXPECT_EQ(body.find("# TYPE levee_client_connections gauge"), std::string::npos) << body;
}

}  // namespace
}  // namespace levee::testing
