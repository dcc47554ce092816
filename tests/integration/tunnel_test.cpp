// Upgrade tunnels (WebSocket) end to end: real levee in front of the real backend, whose
// /echo-upgrade answers 101 and echoes bytes. The client speaks raw bytes on a socket with a
// receive timeout, so no read can hang; every wait is a bounded poll.
#include <gtest/gtest.h>

#include <sys/socket.h>
#include <sys/time.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include <csignal>
#include <thread>

#include "support/child_process.h"
#include "support/stack.h"
#include "support/waits.h"
#include "support/test_client.h"

namespace levee::testing {
namespace {
using namespace std::chrono_literals;
namespace asio = boost::asio;

// A blocking client connection whose every read gives up after 10 s (SO_RCVTIMEO).
class RawClient {
 public:
  explicit RawClient(unsigned short port) : socket_(context_) {
    socket_.connect({asio::ip::make_address("127.0.0.1"), port});
    timeval timeout{10, 0};
    ::setsockopt(socket_.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  }
  void send(std::string_view bytes) { asio::write(socket_, asio::buffer(bytes)); }
  void shutdown_send() { socket_.shutdown(asio::ip::tcp::socket::shutdown_send); }
  // The response head, up to and including the blank line; what came after it stays for read().
  std::string read_head() {
    for (int reads = 0; reads < 1000; ++reads) {
      if (const auto end = pending_.find("\r\n\r\n"); end != std::string::npos) {
        std::string head = pending_.substr(0, end + 4);
        pending_.erase(0, end + 4);
        return head;
      }
      if (!read_more()) break;
    }
    return {};
  }
  // Exactly n bytes, or fewer if the connection ended or a read timed out.
  std::string read(std::size_t n) {
    while (pending_.size() < n && read_more()) {
    }
    std::string out = pending_.substr(0, n);
    pending_.erase(0, out.size());
    return out;
  }
  // True when the peer closes (end of stream) before a read times out; discards bytes.
  bool reaches_end() {
    pending_.clear();
    for (int reads = 0; reads < 100000; ++reads) {
      char buffer[4096];
      boost::system::error_code ec;
      socket_.read_some(asio::buffer(buffer), ec);
      if (ec == asio::error::eof || ec == asio::error::connection_reset) return true;
      if (ec) return false;  // timed out
    }
    return false;
  }

 private:
  bool read_more() {
    char buffer[16384];
    boost::system::error_code ec;
    const std::size_t n = socket_.read_some(asio::buffer(buffer), ec);
    if (ec) return false;
    pending_.append(buffer, n);
    return true;
  }

  asio::io_context context_;
  asio::ip::tcp::socket socket_;
  std::string pending_;
};

std::string handshake(std::string_view target = "/echo-upgrade") {
  return "GET " + std::string(target) +
         " HTTP/1.1\r\nHost: example\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
         "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
}

unsigned status_of(const std::string& head) {
  return head.size() > 12 ? static_cast<unsigned>(std::stoul(head.substr(9, 3))) : 0;
}

const std::string tunnels_open = R"(levee_tunnels_open{route="default"})";
std::string tunnels_total(std::string_view result) {
  return R"(levee_tunnels_total{result=")" + std::string(result) + R"(",route="default"})";
}

std::string config_for(const Backend& backend, const std::string& extra = "") {
  return basic_config("127.0.0.1:" + std::to_string(backend.port)) + extra;
}

TEST(Tunnel, EchoesBytesBothWaysAndEndsOnHalfClose) {
  auto backend = start_backend();
  auto levee = start_levee(config_for(backend));
  RawClient client(levee.port);
  // The first bytes ride with the handshake: levee must pass on what it read past the header,
  // and the service's greeting sent with its 101.
  client.send(handshake("/echo-upgrade?greeting=hi") + "ping");
  const std::string head = client.read_head();
  ASSERT_EQ(status_of(head), 101u) << head;
  EXPECT_NE(head.find("Upgrade: websocket"), std::string::npos) << head;
  EXPECT_NE(head.find("Connection: Upgrade"), std::string::npos) << head;
  EXPECT_EQ(client.read(6), "hiping");

  std::string large(200 * 1024, 'x');
  for (std::size_t i = 0; i < large.size(); ++i) large[i] = static_cast<char>('a' + i % 26);
  client.send(large);
  EXPECT_EQ(client.read(large.size()), large);

  EXPECT_TRUE(wait_for_metric(levee.admin_port, tunnels_open, 1));
  const auto state = fetch(levee.admin_port, "GET", "/state");
  EXPECT_NE(state.body.find(R"("open_by_route":{"default":1})"), std::string::npos) << state.body;

  // The client is done: the service sees the FIN, half-closes too, and levee passes it back.
  client.shutdown_send();
  EXPECT_TRUE(client.reaches_end());
  EXPECT_TRUE(wait_for_metric(levee.admin_port, tunnels_open, 0));
  EXPECT_EQ(metric_value(levee.admin_port, tunnels_total("established")), 1);
  EXPECT_EQ(metric_value(levee.admin_port, R"(levee_requests_total{code_class="1xx",route="default"})"), 1);
}

TEST(Tunnel, AnOpenTunnelHoldsNoPermitOfALimitOneRoute) {
  auto backend = start_backend();
  auto levee = start_levee(config_for(backend,
                                      "admission:\n  limit: {kind: fixed, initial: 1}\n"
                                      "  queue: {max_length: 0}\n  collapse: {enabled: false}\n"
                                      "  critical_reserved_share: 0\n"));
  RawClient client(levee.port);
  client.send(handshake());
  ASSERT_EQ(status_of(client.read_head()), 101u);
  ASSERT_TRUE(wait_for_metric(levee.admin_port, tunnels_open, 1));
  EXPECT_TRUE(wait_for_metric(levee.admin_port, R"(levee_admission_in_flight{group="default"})", 0));
  // With the tunnel open, the route's one permit is free for an ordinary request.
  EXPECT_EQ(fetch(levee.port, "GET", "/").status, 200u);
  // And the tunnel still works.
  client.send("still here");
  EXPECT_EQ(client.read(10), "still here");
}

TEST(Tunnel, PastTunnelsMaxTheUpgradeGets503UntilOneCloses) {
  auto backend = start_backend();
  auto levee = start_levee(config_for(backend, "tunnels:\n  max: 1\n"));
  auto first = std::make_unique<RawClient>(levee.port);
  first->send(handshake());
  ASSERT_EQ(status_of(first->read_head()), 101u);

  RawClient second(levee.port);
  second.send(handshake());
  const std::string refused = second.read_head();
  EXPECT_EQ(status_of(refused), 503u) << refused;
  EXPECT_NE(refused.find("Retry-After: "), std::string::npos) << refused;  // when to try again
  EXPECT_EQ(metric_value(levee.admin_port, tunnels_total("over_cap")), 1);
  // An ordinary request is not a tunnel: the cap does not touch it.
  EXPECT_EQ(fetch(levee.port, "GET", "/").status, 200u);

  first.reset();  // the client goes away: its place is given back
  ASSERT_TRUE(wait_for_metric(levee.admin_port, tunnels_open, 0));
  RawClient third(levee.port);
  third.send(handshake());
  EXPECT_EQ(status_of(third.read_head()), 101u);
}

TEST(Tunnel, AServiceThatDeclinesTheUpgradeIsRelayedAsAnOrdinaryAnswer) {
  auto backend = start_backend();
  auto levee = start_levee(config_for(backend));
  TestClient client(levee.port);
  client.send_raw(handshake("/echo-upgrade?decline=1"));
  const Response declined = client.read_response();
  EXPECT_EQ(declined.status, 403u);
  EXPECT_EQ(declined.body, "upgrade declined\n");
  EXPECT_TRUE(wait_for_metric(levee.admin_port, tunnels_total("declined"), 1));
  EXPECT_EQ(metric_value(levee.admin_port, tunnels_open), 0);
}

TEST(Tunnel, SigtermClosesOpenTunnelsAfterTheGraceAndExitsZero) {
  auto backend = start_backend();
  auto levee = start_levee(config_for(backend, "tunnels:\n  drain_grace: 300ms\n"));
  RawClient client(levee.port);
  client.send(handshake());
  ASSERT_EQ(status_of(client.read_head()), 101u);
  ASSERT_TRUE(wait_for_metric(levee.admin_port, tunnels_open, 1));
  levee.process->signal(SIGTERM);
  // Closed by levee (drain_timeout is 5 s; the tunnel would otherwise stay open for an hour).
  EXPECT_TRUE(client.reaches_end());
  const auto status = levee.process->wait(10s);
  ASSERT_TRUE(status.has_value()) << levee.process->output();
  EXPECT_EQ(*status, 0) << levee.process->output();
  EXPECT_NE(levee.process->output().find("drained: all connections closed"), std::string::npos)
      << levee.process->output();
}

TEST(Tunnel, ASilentTunnelIsClosedAfterTheIdleTimeout) {
  auto backend = start_backend();
  auto levee = start_levee(config_for(backend, "tunnels:\n  idle_timeout: 300ms\n"));
  RawClient client(levee.port);
  client.send(handshake());
  ASSERT_EQ(status_of(client.read_head()), 101u);
  client.send("x");
  EXPECT_EQ(client.read(1), "x");
  // Nothing more either way: levee closes both sides (the backend's own idle timeout is 120 s,
  // the client's read timeout 10 s).
  EXPECT_TRUE(client.reaches_end());
  EXPECT_TRUE(wait_for_metric(levee.admin_port, tunnels_open, 0));
}

TEST(Tunnel, ARouteWithoutUpgradesStillStripsUpgrade) {
  auto backend = start_backend();
  auto levee = start_levee(config_for(backend,
                                      "routes:\n  - name: plain\n    path_prefix: /\n    upstream: backend\n"
                                      "    upgrades: []\n"));
  TestClient client(levee.port);
  client.send_raw(handshake());
  const Response answer = client.read_response();
  // The service never saw an Upgrade header: it asks for one.
  EXPECT_EQ(answer.status, 426u);
  EXPECT_EQ(answer.body, "upgrade required\n");
  EXPECT_EQ(metric_value(levee.admin_port, R"(levee_tunnels_total{result="established",route="plain"})"), 0);
}

TEST(Tunnel, AnUpgradeOfAProtocolTheRouteDoesNotAllowIsStripped) {
  auto backend = start_backend();
  auto levee = start_levee(config_for(backend));
  TestClient client(levee.port);
  client.send_raw("GET /echo-upgrade HTTP/1.1\r\nHost: example\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n");
  EXPECT_EQ(client.read_response().status, 426u);
}

}  // namespace
}  // namespace levee::testing
