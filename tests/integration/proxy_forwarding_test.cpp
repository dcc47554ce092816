// levee in front of a real backend: requests and bodies go through intact, framing is
// preserved or re-encoded, hop-by-hop headers stay on their hop, connections are reused.

#include "support/stack.h"

#include <gtest/gtest.h>

#include <thread>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace levee::testing {
namespace {

class ProxyForwarding : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    backend_ = new Backend(start_backend({"--workers", "4", "--service-time", "1ms"}));
    levee_ = new Levee(start_levee(basic_config("127.0.0.1:" + std::to_string(backend_->port))));
  }
  static void TearDownTestSuite() {
    delete levee_;
    delete backend_;
  }
  static unsigned short port() { return levee_->port; }

  static Backend* backend_;
  static Levee* levee_;
};
Backend* ProxyForwarding::backend_ = nullptr;
Levee* ProxyForwarding::levee_ = nullptr;

std::string fnv1a_hex(std::string_view data) {
  std::uint64_t hash = 14695981039346656037ULL;
  for (unsigned char c : data) {
    hash ^= c;
    hash *= 1099511628211ULL;
  }
  char out[17];
  std::snprintf(out, sizeof out, "%016llx", static_cast<unsigned long long>(hash));
  return out;
}

std::string echo_json(std::string_view body) {
  return "{\"bytes\":" + std::to_string(body.size()) + ",\"fnv1a\":\"" + fnv1a_hex(body) + "\"}";
}

TEST_F(ProxyForwarding, GetIsForwardedWithForwardingHeaders) {
  const auto response = fetch(port(), "GET", "/headers", {},
                              {{"Connection", "keep-alive, X-Secret"}, {"X-Secret", "hop"}, {"Keep-Alive", "300"},
                               {"Proxy-Authorization", "Basic abc"}, {"X-Kept", "yes"}});
  ASSERT_EQ(response.status, 200u);
  const std::string& seen = response.body;
  EXPECT_NE(seen.find("X-Forwarded-For: 127.0.0.1"), std::string::npos) << seen;
  EXPECT_NE(seen.find("X-Forwarded-Proto: http"), std::string::npos) << seen;
  EXPECT_NE(seen.find("Via: 1.1 levee"), std::string::npos) << seen;
  EXPECT_NE(seen.find("X-Kept: yes"), std::string::npos) << seen;
  EXPECT_EQ(seen.find("X-Secret"), std::string::npos) << seen;
  EXPECT_EQ(seen.find("Keep-Alive"), std::string::npos) << seen;
  EXPECT_EQ(seen.find("Proxy-Authorization"), std::string::npos) << seen;
  EXPECT_EQ(response.header("Via"), "1.1 levee");
}

// The client is no trusted proxy (trusted_proxies is empty by default): what it claims is
// replaced. trust_test.cpp covers both sides.
TEST_F(ProxyForwarding, ForwardedForFromAClientIsReplacedByItsAddress) {
  const auto response = fetch(port(), "GET", "/headers", {}, {{"X-Forwarded-For", "10.1.2.3"}});
  EXPECT_NE(response.body.find("X-Forwarded-For: 127.0.0.1\n"), std::string::npos) << response.body;
  EXPECT_EQ(response.body.find("10.1.2.3"), std::string::npos) << response.body;
}

TEST_F(ProxyForwarding, PostAndPutBodiesArriveIntact) {
  for (const char* method : {"POST", "PUT"}) {
    const std::string body = std::string("payload for ") + method + std::string(5000, 'x');
    const auto response = fetch(port(), method, "/echo", body, {{"Content-Type", "text/plain"}});
    ASSERT_EQ(response.status, 200u) << method;
    EXPECT_EQ(response.body, echo_json(body)) << method;
  }
}

TEST_F(ProxyForwarding, ChunkedRequestBodyIsRelayed) {
  TestClient client(port());
  client.send_raw(
      "POST /echo HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n"
      "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n");
  const auto response = client.read_response();
  ASSERT_EQ(response.status, 200u);
  EXPECT_EQ(response.body, echo_json("hello world"));
}

TEST_F(ProxyForwarding, ChunkedAndLengthResponsesArriveWhole) {
  for (const char* chunked : {"0", "1"}) {
    const auto response = fetch(port(), "GET", std::string("/bytes?n=300000&chunked=") + chunked);
    ASSERT_EQ(response.status, 200u);
    ASSERT_EQ(response.body.size(), 300000u) << "chunked=" << chunked;
    EXPECT_EQ(response.body.substr(0, 3), "abc");
  }
}

TEST_F(ProxyForwarding, HeadRequestGetsHeadersOnly) {
  TestClient client(port());
  const auto response = client.request("HEAD", "/bytes?n=1000");
  EXPECT_EQ(response.status, 200u);
  EXPECT_TRUE(response.body.empty());
  // The connection is still usable: the HEAD response carried no body to desync it.
  EXPECT_EQ(client.request("GET", "/").status, 200u);
}

TEST_F(ProxyForwarding, PipelinedRequestsAreAnsweredInOrder) {
  TestClient client(port());
  client.send_raw(
      "GET /status?code=201 HTTP/1.1\r\nHost: localhost\r\n\r\n"
      "GET /status?code=202 HTTP/1.1\r\nHost: localhost\r\n\r\n"
      "GET /status?code=203 HTTP/1.1\r\nHost: localhost\r\n\r\n");
  EXPECT_EQ(client.read_response().status, 201u);
  EXPECT_EQ(client.read_response().status, 202u);
  EXPECT_EQ(client.read_response().status, 203u);
}

TEST_F(ProxyForwarding, ExpectContinueIsAnsweredBeforeTheBodyIsSent) {
  TestClient client(port());
  client.send_raw(
      "POST /echo HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
  const auto interim = client.read_response();
  ASSERT_EQ(interim.status, 100u);
  client.send_raw("hello");
  const auto response = client.read_response();
  ASSERT_EQ(response.status, 200u);
  EXPECT_EQ(response.body, echo_json("hello"));
}

TEST_F(ProxyForwarding, Http10ClientGetsAWholeBody) {
  TestClient client(port());
  client.send_raw("GET /bytes?n=1000&chunked=1 HTTP/1.0\r\n\r\n");
  const auto response = client.read_response();
  EXPECT_EQ(response.status, 200u);
  EXPECT_EQ(response.body.size(), 1000u);
}

TEST_F(ProxyForwarding, KeepAliveReusesUpstreamConnections) {
  const auto before = fetch(backend_->port, "GET", "/stats").body;
  constexpr int clients = 4;
  constexpr int requests_each = 50;
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&] {
      TestClient client(port());
      for (int i = 0; i < requests_each; ++i)
        if (client.request("GET", "/").status == 200) ++ok;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), clients * requests_each);
  const auto stats = fetch(backend_->port, "GET", "/stats").body;
  const auto total_at = stats.find("\"connections_total\":");
  ASSERT_NE(total_at, std::string::npos) << stats;
  const int connections_total = std::atoi(stats.c_str() + total_at + 20);
  // 200 requests over at most a handful of pooled connections (one per concurrent request per
  // worker, plus the stats probes' own direct connections).
  EXPECT_LE(connections_total, 16) << stats << " before: " << before;
  EXPECT_LE(metric_value(levee_->admin_port, "levee_upstream_connects_total{upstream=\"backend\"}"), 8.0);
}

TEST_F(ProxyForwarding, LargeBodiesStreamInBoundedMemory) {
  constexpr std::size_t size = 100 * 1024 * 1024;
  const long rss_before = rss_kib(levee_->process->pid());
  TestClient client(port(), std::chrono::seconds(60));
  client.send_raw("POST /echo HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n");
  const std::string chunk(1024 * 1024, 'z');
  char size_line[32];
  std::snprintf(size_line, sizeof size_line, "%zx\r\n", chunk.size());
  for (std::size_t sent = 0; sent < size; sent += chunk.size())
    client.send_raw(std::string(size_line) + chunk + "\r\n");
  client.send_raw("0\r\n\r\n");
  const auto upload = client.read_response();
  ASSERT_EQ(upload.status, 200u);
  EXPECT_NE(upload.body.find("\"bytes\":104857600"), std::string::npos) << upload.body;

  const auto download = client.request("GET", "/bytes?n=104857600");
  ASSERT_EQ(download.status, 200u);
  EXPECT_EQ(download.body.size(), size);
  const long rss_after = rss_kib(levee_->process->pid());
  // 100 MiB each way went through; levee's memory grew by buffers, not by bodies. Under ASan
  // freed memory sits in its quarantine for a while, so only "less than one body" is meaningful.
#if defined(__SANITIZE_ADDRESS__)
  constexpr long bound_kib = 80 * 1024;
#else
  constexpr long bound_kib = 20 * 1024;
#endif
  EXPECT_LT(rss_after - rss_before, bound_kib) << "before " << rss_before << " KiB, after " << rss_after << " KiB";
}

// An 8 MiB answer to a client that reads nothing for a while through a small receive buffer:
// more than its buffer and levee's send buffer hold (the latter grows to 4 MiB on loopback), so
// part of every answer goes through the asynchronous write after the non-blocking send that
// starts it (immediate_io.h). The client must receive the answer whole, byte for byte.
void expect_answer_arrives_whole_through_a_small_window(const std::string& listener_settings) {
  auto backend = start_backend();
  auto levee = start_levee(basic_config("127.0.0.1:" + std::to_string(backend.port), listener_settings));
  const std::string target = "/bytes?n=8388608";
  const auto direct = fetch(backend.port, "GET", target);
  ASSERT_EQ(direct.body.size(), 8388608u);

  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  const int small = 4096;
  ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(levee.port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address), 0);
  const std::string request = "GET " + target + " HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n";
  ASSERT_EQ(::send(fd, request.data(), request.size(), MSG_NOSIGNAL), static_cast<ssize_t>(request.size()));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  // Read to the end (Connection: close), each wait bounded.
  std::string received;
  char chunk[65536];
  for (int reads = 0; reads < 100000; ++reads) {
    pollfd ready{.fd = fd, .events = POLLIN, .revents = 0};
    if (::poll(&ready, 1, 10000) <= 0) break;
    const ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
    if (n <= 0) break;
    received.append(chunk, static_cast<std::size_t>(n));
  }
  ::close(fd);
  ASSERT_TRUE(received.starts_with("HTTP/1.1 200")) << received.substr(0, 200);
  const auto body_at = received.find("\r\n\r\n");
  ASSERT_NE(body_at, std::string::npos);
  EXPECT_TRUE(received.compare(body_at + 4, std::string::npos, direct.body) == 0)
      << "body of " << received.size() - body_at - 4 << " bytes, expected " << direct.body.size();
}

// Read whole from the service first (write_buffered_response).
TEST(ProxyWrites, ABufferedAnswerLargerThanTheClientTakesAtOnceArrivesWhole) {
  expect_answer_arrives_whole_through_a_small_window("  max_buffered_response_body: 16MiB\n");
}

// Streamed as it comes (relay_sized_body): each read of the body is sent at once, and what the
// client does not take waits for its socket.
TEST(ProxyWrites, AStreamedAnswerLargerThanTheClientTakesAtOnceArrivesWhole) {
  expect_answer_arrives_whole_through_a_small_window("  max_buffered_response_body: 0\n");
}

}  // namespace
}  // namespace levee::testing
