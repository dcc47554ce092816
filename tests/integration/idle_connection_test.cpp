// Idle keep-alive connections: after a second or two without a request, a plain HTTP/1.1
// connection is parked without its session (proxy/http/parked_connection.h). Parking must not
// change what the client sees: the next request is served however it arrives, the idle
// timeout and drain still close the connection, and the connection keeps its one place in the
// connection counts. Each test waits for levee_client_connections_parked to show the
// connection parked (bounded), so it tests the parked path and not a session that was still
// waiting.

#include "support/stack.h"
#include "support/waits.h"

#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <memory>
#include <string>
#include <thread>

namespace levee::testing {
namespace {
using namespace std::chrono_literals;

constexpr const char* parked_gauge = "levee_client_connections_parked";
constexpr const char* open_gauge = "levee_client_connections_open";

// A finished request, then idle until levee has parked the connection.
void serve_one_then_park(TestClient& client, const Levee& levee) {
  const auto first = client.request("GET", "/");
  ASSERT_EQ(first.status, 200u);
  ASSERT_TRUE(first.keep_alive);
  ASSERT_TRUE(wait_for_metric(levee.admin_port, parked_gauge, 1)) << "the idle connection was never parked";
  EXPECT_EQ(metric_value(levee.admin_port, open_gauge), 1);  // moved, not counted twice
}

TEST(IdleConnection, ARequestArrivingInPiecesAfterParkingIsServedAndTheConnectionKeptAlive) {
  auto backend = start_backend();
  auto levee = start_levee(basic_config("127.0.0.1:" + std::to_string(backend.port)));
  TestClient client(levee.port);
  serve_one_then_park(client, levee);

  // The head in three pieces with pauses: the parked connection wakes on the first bytes, and
  // the new session must wait for the rest rather than take the first piece for the request.
  client.send_raw("GET /hea");
  std::this_thread::sleep_for(100ms);
  client.send_raw("ders HTTP/1.1\r\nHost: x\r\nX-Pie");
  std::this_thread::sleep_for(100ms);
  client.send_raw("ces: three\r\n\r\n");
  const auto after = client.read_response();
  EXPECT_EQ(after.status, 200u);
  EXPECT_NE(after.body.find("three"), std::string::npos) << after.body;  // the whole head got through
  EXPECT_TRUE(after.keep_alive);
  EXPECT_EQ(metric_value(levee.admin_port, parked_gauge), 0);

  // And it goes on as any kept-alive connection.
  EXPECT_EQ(client.request("GET", "/").status, 200u);
  EXPECT_EQ(metric_value(levee.admin_port, open_gauge), 1);
}

// One write, all of the request, and nothing after it: the parked connection's wake-up must
// lead to the answer without any further bytes from the client.
TEST(IdleConnection, AWholeRequestInOneWriteWakesAParkedConnectionAtOnce) {
  auto backend = start_backend();
  auto levee = start_levee(basic_config("127.0.0.1:" + std::to_string(backend.port)));
  TestClient client(levee.port, 3s);  // far below idle_timeout (60 s): a missed wake-up fails here
  serve_one_then_park(client, levee);
  client.send_raw("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(client.read_response().status, 200u);
}

TEST(IdleConnection, AParkedConnectionIsClosedAtTheIdleTimeoutItHadBeforeParking) {
  auto backend = start_backend();
  auto levee =
      start_levee(basic_config("127.0.0.1:" + std::to_string(backend.port), "  idle_timeout: 3s\n"));
  TestClient client(levee.port);
  ASSERT_EQ(client.request("GET", "/").status, 200u);
  const auto answered = std::chrono::steady_clock::now();
  ASSERT_TRUE(wait_for_metric(levee.admin_port, parked_gauge, 1));
  EXPECT_TRUE(client.closed_by_peer(6s));
  const auto idle = std::chrono::steady_clock::now() - answered;
  EXPECT_GE(idle, 2900ms);  // the deadline is the session's, not restarted by parking
  EXPECT_LT(idle, 4500ms);
  EXPECT_TRUE(wait_for_metric(levee.admin_port, parked_gauge, 0));
  EXPECT_TRUE(wait_for_metric(levee.admin_port, open_gauge, 0));
}

TEST(IdleConnection, DrainClosesAParkedConnectionAtOnce) {
  auto backend = start_backend();
  auto levee = start_levee(basic_config("127.0.0.1:" + std::to_string(backend.port)));  // drain_timeout 5s
  TestClient client(levee.port);
  serve_one_then_park(client, levee);
  const auto stopped = std::chrono::steady_clock::now();
  levee.process->signal(SIGTERM);
  EXPECT_TRUE(client.closed_by_peer(4s));
  // levee exits once its last connection is gone, well before drain_timeout.
  EXPECT_EQ(levee.process->wait(10s), 0) << levee.process->output();
  EXPECT_LT(std::chrono::steady_clock::now() - stopped, 4s);
  EXPECT_NE(levee.process->output().find("drained: all connections closed"), std::string::npos)
      << levee.process->output();
}

// listener.max_connections_per_client: 1. The parked connection still holds its client's one
// place; once the client closes it, the place is free for a new connection.
TEST(IdleConnection, AParkedConnectionKeepsItsPlaceInThePerClientCapAndGivesItBackOnClose) {
  auto backend = start_backend();
  auto levee = start_levee(
      basic_config("127.0.0.1:" + std::to_string(backend.port), "  max_connections_per_client: 1\n"));
  auto client = std::make_unique<TestClient>(levee.port);
  serve_one_then_park(*client, levee);
  EXPECT_EQ(fetch(levee.port, "GET", "/").status, 503u);  // still this client's connection
  client->close();
  ASSERT_TRUE(wait_for_metric(levee.admin_port, open_gauge, 0));
  EXPECT_EQ(metric_value(levee.admin_port, parked_gauge), 0);
  EXPECT_EQ(fetch(levee.port, "GET", "/").status, 200u);
}

}  // namespace
}  // namespace levee::testing
