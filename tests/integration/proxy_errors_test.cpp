// What levee answers when the request or the upstream is bad: clear statuses, fast, and
// nothing malformed ever reaches the service.

#include "support/stack.h"

#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <memory>
#include <thread>
#include <vector>

#include <boost/asio/ip/tcp.hpp>

namespace levee::testing {
namespace {
using namespace std::chrono_literals;

class ProxyErrors : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    backend_ = new Backend(start_backend({"--workers", "2", "--service-time", "1ms"}));
    levee_ = new Levee(start_levee(basic_config("127.0.0.1:" + std::to_string(backend_->port),
                                                "  header_timeout: 300ms\n  max_header_bytes: 8KiB\n"
                                                "  max_body_bytes: 1MiB\n",
                                                "    response_timeout: 300ms\n")));
  }
  static void TearDownTestSuite() {
    delete levee_;
    delete backend_;
  }
  static unsigned short port() { return levee_->port; }
  static long backend_requests() {
    const auto stats = fetch(backend_->port, "GET", "/stats").body;
    const auto at = stats.find("\"requests_total\":");
    return at == std::string::npos ? -1 : std::atol(stats.c_str() + at + 17);
  }

  // Sends raw bytes, expects `status`, the connection closed, and the backend untouched.
  static void expect_refused(const std::string& raw, unsigned status) {
    const long before = backend_requests();
    TestClient client(port());
    client.send_raw(raw);
    const auto response = client.read_response();
    EXPECT_EQ(response.status, status) << raw;
    EXPECT_TRUE(client.closed_by_peer(2s)) << raw;
    // The stats request itself counts once.
    EXPECT_EQ(backend_requests(), before + 1) << "forwarded: " << raw;
  }

  static Backend* backend_;
  static Levee* levee_;
};
Backend* ProxyErrors::backend_ = nullptr;
Levee* ProxyErrors::levee_ = nullptr;

TEST_F(ProxyErrors, MalformedRequestGets400AndClose) {
  expect_refused("GARBAGE\r\n\r\n", 400);
  expect_refused("GET / HTTP/1.1\r\nHost: localhost\r\nBad Header\r\n\r\n", 400);
}

TEST_F(ProxyErrors, ConflictingFramingIsNeverForwarded) {
  // CL.TE and TE.CL
  expect_refused("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400);
  expect_refused("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n0\r\n\r\n", 400);
  // duplicate Content-Length, even when equal
  expect_refused("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc", 400);
  expect_refused("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd", 400);
  // TE.TE obfuscations
  expect_refused("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n", 400);
  expect_refused("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: xchunked\r\n\r\n0\r\n\r\n", 400);
  expect_refused("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n\r\n0\r\n\r\n", 400);
  expect_refused("POST /echo HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400);
}

TEST_F(ProxyErrors, MissingOrDuplicateHostIsRefused) {
  expect_refused("GET / HTTP/1.1\r\n\r\n", 400);
  expect_refused("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400);
}

TEST_F(ProxyErrors, OversizedHeaderGets431) {
  expect_refused("GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(10000, 'a') + "\r\n\r\n", 431);
}

TEST_F(ProxyErrors, OversizedBodyGets413) {
  expect_refused("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 2000000\r\n\r\n", 413);
}

TEST_F(ProxyErrors, ConnectAndForeignAbsoluteTargetsAreRefused) {
  expect_refused("CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n", 405);
  expect_refused("GET http://example.com/ HTTP/1.1\r\nHost: localhost\r\n\r\n", 400);
  // Absolute-form naming the request's own Host is legal HTTP/1.1 and is served.
  TestClient client(port());
  client.send_raw("GET http://localhost/status?code=204 HTTP/1.1\r\nHost: localhost\r\n\r\n");
  EXPECT_EQ(client.read_response().status, 204u);
}

TEST_F(ProxyErrors, SlowHeaderGets408ThenClose) {
  TestClient client(port());
  client.send_raw("GET / HTTP/1.1\r\nHost: x\r\n");  // never finished
  const auto response = client.read_response();
  EXPECT_EQ(response.status, 408u);
  EXPECT_TRUE(client.closed_by_peer(2s));
}

// header_timeout is 300ms here. A client that connects and sends nothing is closed after one
// header_timeout, silently (nothing was asked, so nothing is answered).
TEST_F(ProxyErrors, SilentClientIsClosedAfterOneHeaderTimeout) {
  const auto connected = std::chrono::steady_clock::now();
  TestClient client(port());
  EXPECT_TRUE(client.closed_by_peer(2s));
  const auto took = std::chrono::steady_clock::now() - connected;
  EXPECT_GE(took, 300ms);
  EXPECT_LT(took, 600ms);  // before twice header_timeout (slack for sanitizer builds)
}

// The first header's time counts from accept: a first byte sent late does not earn the rest of
// the header a second header_timeout (it did: 280ms + 300ms here). The wait is the test; the
// bound leaves 200 ms for a slow (sanitizer) build and still fails the old 580 ms.
TEST_F(ProxyErrors, FirstHeaderGetsOneHeaderTimeoutCountedFromAccept) {
  const auto connected = std::chrono::steady_clock::now();
  TestClient client(port());
  std::this_thread::sleep_for(280ms);
  client.send_raw("GET / HTTP/1.1\r\n");  // never finished
  EXPECT_EQ(client.read_response().status, 408u);
  EXPECT_TRUE(client.closed_by_peer(2s));
  const auto took = std::chrono::steady_clock::now() - connected;
  EXPECT_GE(took, 300ms);
  EXPECT_LT(took, 500ms);
}

TEST_F(ProxyErrors, SlowUpstreamGets504) {
  const auto started = std::chrono::steady_clock::now();
  const auto response = fetch(port(), "GET", "/slow?ms=3000");
  EXPECT_EQ(response.status, 504u);
  EXPECT_EQ(response.header("levee-error"), "upstream response timeout");
  EXPECT_LT(std::chrono::steady_clock::now() - started, 2500ms);
}

TEST_F(ProxyErrors, UpstreamClosingWithoutAnswerGets502) {
  const auto response = fetch(port(), "GET", "/close");
  EXPECT_EQ(response.status, 502u);
}

TEST_F(ProxyErrors, ClientVanishingMidBodyLeavesLeveeHealthy) {
  {
    TestClient client(port());
    client.send_raw("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\npartial");
    client.close();
  }
  EXPECT_EQ(fetch(port(), "GET", "/").status, 200u);
  // The abandoned exchange released everything it held.
  for (int i = 0; i < 50 && metric_value(levee_->admin_port, "levee_in_flight_requests") != 0; ++i)
    std::this_thread::sleep_for(20ms);
  EXPECT_EQ(metric_value(levee_->admin_port, "levee_in_flight_requests"), 0);
}

TEST(ProxyUpstreamDown, RefusedConnectGets502Fast) {
  // A port nobody listens on: bind one, note it, close it.
  boost::asio::io_context context;
  boost::asio::ip::tcp::acceptor probe(context, {boost::asio::ip::make_address("127.0.0.1"), 0});
  const auto dead_port = probe.local_endpoint().port();
  probe.close();
  auto levee = start_levee(basic_config("127.0.0.1:" + std::to_string(dead_port)));
  const auto started = std::chrono::steady_clock::now();
  const auto response = fetch(levee.port, "GET", "/");
  EXPECT_EQ(response.status, 502u);
  EXPECT_EQ(response.header("levee-error"), "upstream connect failed");
  EXPECT_LT(std::chrono::steady_clock::now() - started, 1s);
  EXPECT_EQ(metric_value(levee.admin_port, "levee_errors_total{kind=\"connect_refused\"}"), 1.0);
}

TEST(ProxyRouting, UnmatchedPathGets404) {
  auto backend = start_backend();
  auto levee = start_levee(basic_config("127.0.0.1:" + std::to_string(backend.port)) +
                           "routes:\n  - name: api\n    path_prefix: /api\n    upstream: backend\n");
  EXPECT_EQ(fetch(levee.port, "GET", "/elsewhere").status, 404u);
  EXPECT_EQ(fetch(levee.port, "GET", "/api").status, 404u);  // backend has no /api: its own 404
  EXPECT_EQ(fetch(levee.port, "GET", "/apix").header("levee-error"), "no route");
}

TEST(ProxyConnections, OverTheConnectionCapGets503) {
  auto backend = start_backend();
  auto levee = start_levee(basic_config("127.0.0.1:" + std::to_string(backend.port), "  max_connections: 2\n"));
  TestClient first(levee.port);
  TestClient second(levee.port);
  EXPECT_EQ(first.request("GET", "/").status, 200u);
  EXPECT_EQ(second.request("GET", "/").status, 200u);
  TestClient third(levee.port);
  const auto refused = third.read_response();
  EXPECT_EQ(refused.status, 503u);
  EXPECT_EQ(metric_value(levee.admin_port, "levee_client_connections_total{result=\"rejected\"}"), 1.0);
}

// Connections that arrive together are each counted against the cap on their own. levee is
// stopped while they connect (the kernel completes each handshake into the listen backlog), so
// all of them are waiting, their requests sent, when it resumes.
TEST(ProxyConnections, ConnectionsWaitingTogetherAreCappedOneByOne) {
  auto backend = start_backend();
  auto levee = start_levee(basic_config("127.0.0.1:" + std::to_string(backend.port), "  max_connections: 5\n"));
  levee.process->signal(SIGSTOP);
  std::vector<std::unique_ptr<TestClient>> clients;
  for (int i = 0; i < 8; ++i) {
    clients.push_back(std::make_unique<TestClient>(levee.port));
    clients.back()->send_raw("GET / HTTP/1.1\r\nHost: t\r\n\r\n");
  }
  levee.process->signal(SIGCONT);
  int served = 0;
  int refused = 0;
  for (auto& client : clients) {
    const auto status = client->read_response().status;
    if (status == 200u) ++served;
    if (status == 503u) ++refused;
  }
  EXPECT_EQ(served, 5);
  EXPECT_EQ(refused, 3);
  EXPECT_EQ(metric_value(levee.admin_port, "levee_client_connections_total{result=\"rejected\"}"), 3.0);
}

TEST(ProxyConnections, OverTheCapFromOneAddressGets503UntilOneOfItsConnectionsCloses) {
  auto backend = start_backend();
  auto levee = start_levee(
      basic_config("127.0.0.1:" + std::to_string(backend.port), "  max_connections_per_client: 2\n"));
  auto first = std::make_unique<TestClient>(levee.port);
  TestClient second(levee.port);
  EXPECT_EQ(first->request("GET", "/").status, 200u);
  EXPECT_EQ(second.request("GET", "/").status, 200u);
  {
    TestClient third(levee.port);
    const auto refused = third.read_response();
    EXPECT_EQ(refused.status, 503u);
    EXPECT_EQ(refused.header("connection"), "close");
    EXPECT_EQ(refused.header("levee-error"), "too many connections from this client");
    EXPECT_TRUE(third.closed_by_peer(5s));
  }
  // The two counted connections still work.
  EXPECT_EQ(first->request("GET", "/").status, 200u);
  EXPECT_EQ(second.request("GET", "/").status, 200u);
  EXPECT_EQ(metric_value(levee.admin_port, "levee_client_connections_total{result=\"rejected_per_client\"}"), 1.0);

  // Once levee has seen the first one close, a new connection is accepted. Its session notices
  // the close a moment later: retry (each early attempt is a quick 503) within a deadline.
  first.reset();
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  unsigned status = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    try {
      TestClient again(levee.port);
      status = again.request("GET", "/").status;
    } catch (const std::exception&) {
      status = 0;  // refused, and reset before the 503 could be read
    }
    if (status == 200u) break;
  }
  EXPECT_EQ(status, 200u);
  EXPECT_EQ(second.request("GET", "/").status, 200u);
}

}  // namespace
}  // namespace levee::testing
