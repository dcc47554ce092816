// HTTP/2 on the listener end to end: real levee in front of the real backend, driven by
// nghttp and curl (Debian's nghttp2-client and curl), as an operator would try it. h2c by
// prior knowledge on a plain listener, and ALPN h2 over TLS. Every client run is bounded.
#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/tcp_stream.hpp>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <regex>
#include <vector>
#include <thread>

#include "support/child_process.h"
#include "support/shell_command.h"
#include "support/stack.h"
#include "support/waits.h"
#include "support/test_client.h"

namespace levee::testing {
namespace {
using namespace std::chrono_literals;
namespace fs = std::filesystem;

const std::string h2c_listener = "  http2:\n    enabled: true\n    h2c: true\n";

std::string backend_address(const Backend& backend) { return "127.0.0.1:" + std::to_string(backend.port); }

std::string url(const Levee& levee, const std::string& path, const std::string& scheme = "http") {
  return scheme + "://127.0.0.1:" + std::to_string(levee.port) + path;
}

// A config whose one route admits at most `limit` requests at once and queues none.
std::string fixed_limit_config(const Backend& backend, const std::string& listener_extra, unsigned limit) {
  return basic_config(backend_address(backend), listener_extra) +
         "admission:\n  limit:\n    kind: fixed\n    initial: " + std::to_string(limit) +
         "\n  queue:\n    max_length: 0\n";
}

TEST(Http2Test, H2cGetAndPostReachTheUpstream) {
  auto backend = start_backend();
  auto levee = start_levee(basic_config(backend_address(backend), h2c_listener));

  const auto get = run_command("nghttp " + url(levee, "/") + " 2>&1");
  ASSERT_EQ(get.status, 0) << get.output;
  EXPECT_EQ(get.output, "levee-load backend\n");

  // The body goes to the service whole (the backend answers with its size).
  const std::string body_file = write_temp_file("h2-body.txt", std::string(100000, 'x'));
  const auto post = run_command("nghttp -d " + body_file + " " + url(levee, "/echo") + " 2>&1");
  ASSERT_EQ(post.status, 0) << post.output;
  EXPECT_NE(post.output.find("\"bytes\":100000"), std::string::npos) << post.output;

  EXPECT_EQ(metric_value(levee.admin_port, "levee_h2_connections_total"), 2);
  EXPECT_EQ(metric_value(levee.admin_port, "levee_h2_streams_total"), 2);
}

// Request bodies are held whole before a stream goes on, and the bound is the connection's:
// two uploads that together pass connection_window_size cannot both be held, so one is
// answered 413 and the other served (a client opening many streams holds no more than one
// connection window in levee).
TEST(Http2Test, RequestBodiesHeldAreBoundedPerConnection) {
  auto backend = start_backend();
  const std::string listener = h2c_listener + "    connection_window_size: 128KiB\n";
  auto levee = start_levee(basic_config(backend_address(backend), listener));
  const std::string body_file = write_temp_file("h2-two-bodies.txt", std::string(100000, 'x'));
  const auto both = run_command("nghttp -v -m 2 -d " + body_file + " '" + url(levee, "/slow?ms=500") + "' 2>&1");
  EXPECT_EQ(count_of(both.output, ":status: 200"), 1u) << both.output;
  EXPECT_EQ(count_of(both.output, ":status: 413"), 1u) << both.output;
}

TEST(Http2Test, Http11StillWorksOnAnH2cListener) {
  auto backend = start_backend();
  auto levee = start_levee(basic_config(backend_address(backend), h2c_listener));
  const auto curl = run_command("curl -sS --http1.1 --max-time 10 " + url(levee, "/") + " 2>&1");
  ASSERT_EQ(curl.status, 0) << curl.output;
  EXPECT_EQ(curl.output, "levee-load backend\n");
  EXPECT_EQ(metric_value(levee.admin_port, "levee_h2_connections_total"), 0);
}

// What levee sends first on a connection given `pieces` (100 ms apart): up to `want` bytes,
// or what came within 5 s.
std::string first_bytes_after(unsigned short port, const std::vector<std::string>& pieces, std::size_t want) {
  boost::asio::io_context context;
  boost::beast::tcp_stream stream(context);
  stream.expires_after(5s);
  stream.connect(boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port));
  for (const auto& piece : pieces) {
    if (&piece != &pieces.front()) std::this_thread::sleep_for(100ms);
    boost::asio::write(stream, boost::asio::buffer(piece));
  }
  std::string got;
  char chunk[256];
  while (got.size() < want) {
    boost::beast::error_code ec;
    stream.expires_after(5s);
    const auto n = stream.read_some(boost::asio::buffer(chunk), ec);
    if (ec) break;
    got.append(chunk, n);
  }
  return got;
}

// HTTP/2's 24-byte client preface may come in pieces; levee reads on until it can tell.
TEST(Http2Test, AnH2cPrefaceInPiecesIsStillHttp2) {
  auto backend = start_backend();
  auto levee = start_levee(basic_config(backend_address(backend), h2c_listener));
  const std::string empty_settings("\x00\x00\x00\x04\x00\x00\x00\x00\x00", 9);
  const auto reply = first_bytes_after(levee.port, {"PRI * HTTP/2.0\r\n", "\r\nSM\r\n\r\n" + empty_settings}, 9);
  ASSERT_GE(reply.size(), 9u) << reply;
  EXPECT_EQ(reply[3], '\x04') << "the server's preface is a SETTINGS frame";
  EXPECT_EQ(reply[4], '\x00') << "not an acknowledgement";
}

// A first byte that begins the preface, then one that does not: an HTTP/1.1 request after all.
TEST(Http2Test, ARequestThatOnlyBeginsLikeThePrefaceIsHttp11) {
  auto backend = start_backend();
  auto levee = start_levee(basic_config(backend_address(backend), h2c_listener));
  const auto reply = first_bytes_after(
      levee.port, {"P", "OST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"}, 12);
  EXPECT_EQ(reply.substr(0, 12), "HTTP/1.1 200") << reply;
}

TEST(Http2Test, ConcurrentStreamsOnOneConnectionAreAllAnswered) {
  auto backend = start_backend();
  auto levee = start_levee(basic_config(backend_address(backend), h2c_listener));
  // 300 KB each: past the in-memory response bound, so each body streams under flow control.
  const auto many = run_command("nghttp -v -m 10 '" + url(levee, "/bytes?n=300000") + "' 2>&1");
  ASSERT_EQ(many.status, 0) << many.output.substr(0, 4000);
  EXPECT_EQ(count_of(many.output, ":status: 200"), 10u);
  EXPECT_EQ(count_of(many.output, "content-length: 300000"), 10u);
  EXPECT_EQ(metric_value(levee.admin_port, "levee_h2_connections_total"), 1);
  EXPECT_EQ(metric_value(levee.admin_port, "levee_h2_streams_total"), 10);
}

TEST(Http2Test, AFixedLimitShedsStreamsWith429AndTheConnectionStaysUp) {
  auto backend = start_backend();
  auto levee = start_levee(fixed_limit_config(backend, h2c_listener, 2));
  const auto burst = run_command("nghttp -v -m 6 '" + url(levee, "/slow?ms=500") + "' 2>&1");
  // nghttp exits 0 only when every stream got its answer on the one connection.
  ASSERT_EQ(burst.status, 0) << burst.output;
  EXPECT_EQ(count_of(burst.output, ":status: 200"), 2u) << burst.output;
  EXPECT_EQ(count_of(burst.output, ":status: 429"), 4u) << burst.output;
  EXPECT_EQ(count_of(burst.output, "levee-shed: over_limit"), 4u);
  EXPECT_EQ(count_of(burst.output, "retry-after: "), 4u);
  EXPECT_EQ(count_of(burst.output, "send GOAWAY"), 1u);  // only nghttp's own goodbye at the end
  EXPECT_EQ(count_of(burst.output, "recv GOAWAY"), 0u);
  EXPECT_EQ(count_of(burst.output, "recv RST_STREAM"), 0u);
}

TEST(Http2Test, AShedGrpcCallIsAnsweredTrailersOnlyWithResourceExhausted) {
  auto backend = start_backend();
  auto levee = start_levee(fixed_limit_config(backend, h2c_listener, 1));
  const std::string body_file = write_temp_file("grpc-body", std::string(5, '\0'));
  const auto burst = run_command("nghttp -v -m 3 -H 'content-type: application/grpc' -H 'te: trailers' -d " +
                                 body_file + " '" + url(levee, "/slow?ms=500") + "' 2>&1");
  ASSERT_EQ(burst.status, 0) << burst.output;
  EXPECT_EQ(count_of(burst.output, "grpc-status: 8"), 2u) << burst.output;
  EXPECT_EQ(count_of(burst.output, "grpc-message: levee shed the call: over_limit"), 2u);
  const std::regex pushback("grpc-retry-pushback-ms: ([0-9]+)");
  std::smatch match;
  ASSERT_TRUE(std::regex_search(burst.output, match, pushback)) << burst.output;
  EXPECT_GE(std::stoll(match[1]), 1000);  // the same wait as Retry-After: at least 1 s
  // Trailers-only: HTTP 200 and no body, the headers end the stream.
  EXPECT_EQ(count_of(burst.output, ":status: 200"), 3u);
}

TEST(Http2Test, AStreamWhoseClientLeavesWhileQueuedLeavesTheQueueAtOnce) {
  auto backend = start_backend();
  auto levee = start_levee(basic_config(backend_address(backend), h2c_listener) +
                           "admission:\n  limit:\n    kind: fixed\n    initial: 1\n"
                           "  queue:\n    max_length: 10\n    max_wait: 10s\n    codel_target: 0s\n");
  ChildProcess holder("/bin/sh", {"-c", "nghttp '" + url(levee, "/slow?ms=3000") + "' 2>&1"});
  ASSERT_TRUE(wait_for_metric(levee.admin_port, "levee_admission_in_flight{group=\"default\"}", 1));
  // Queued behind the holder; nghttp gives up after 1 s and closes its connection.
  const auto impatient = run_command("nghttp -t 1 " + url(levee, "/") + " 2>&1");
  EXPECT_NE(impatient.output.find("Timeout"), std::string::npos) << impatient.output;  // no answer came
  EXPECT_TRUE(wait_for_metric(levee.admin_port,
                              "levee_shed_total{group=\"default\",priority=\"default\",reason=\"client_gone\"}", 1));
  EXPECT_EQ(metric_value(levee.admin_port, "levee_admission_queue_length{group=\"default\"}"), 0);
  EXPECT_TRUE(holder.running());  // it left the queue before the permit was free
  EXPECT_EQ(holder.wait(10s), 0) << holder.output();
}

TEST(Http2Test, AStreamWhoseClientLeavesWhileAtTheServiceGivesItsPermitBackAtOnce) {
  auto backend = start_backend();
  auto levee = start_levee(basic_config(backend_address(backend), h2c_listener) +
                           "admission:\n  limit:\n    kind: fixed\n    initial: 1\n  queue:\n    max_length: 0\n");
  // The service takes 8 s; the client gives up after 1 s and closes its connection.
  const auto impatient = run_command("nghttp -t 1 '" + url(levee, "/slow?ms=8000") + "' 2>&1");
  EXPECT_NE(impatient.output.find("Timeout"), std::string::npos) << impatient.output;
  // Its permit is back well before the service would have answered.
  EXPECT_TRUE(wait_for_metric(levee.admin_port, "levee_admission_in_flight{group=\"default\"}", 0));
  const auto next = run_command("nghttp " + url(levee, "/") + " 2>&1");
  EXPECT_EQ(next.output, "levee-load backend\n");
  EXPECT_EQ(metric_value(levee.admin_port, "levee_abandoned_total{route=\"default\"}"), 1);
}

TEST(Http2Test, DrainAnnouncesGoawayAndFinishesTheOpenStream) {
  auto backend = start_backend();
  auto levee = start_levee(basic_config(backend_address(backend), h2c_listener));
  ChildProcess client("/bin/sh", {"-c", "nghttp -v '" + url(levee, "/slow?ms=1500") + "' 2>&1"});
  ASSERT_TRUE(client.wait_for_line("send HEADERS frame", 5s)) << client.output();
  std::this_thread::sleep_for(200ms);  // the request reaches the service
  levee.process->signal(SIGTERM);
  const auto status = client.wait(10s);
  ASSERT_EQ(status, 0) << client.output();
  const std::string& out = client.output();
  // First the notice (last_stream_id 2^31-1), then the final GOAWAY naming the open stream.
  EXPECT_NE(out.find("last_stream_id=2147483647, error_code=NO_ERROR"), std::string::npos) << out;
  const std::regex final_goaway("recv GOAWAY[^\\n]*\\n\\s*\\(last_stream_id=([0-9]+), error_code=NO_ERROR");
  std::vector<std::string> last_ids;
  for (auto it = std::sregex_iterator(out.begin(), out.end(), final_goaway); it != std::sregex_iterator(); ++it)
    last_ids.push_back((*it)[1]);
  ASSERT_EQ(last_ids.size(), 2u) << out;
  EXPECT_NE(last_ids[1], "2147483647") << out;  // the final one names the last stream levee took
  EXPECT_NE(last_ids[1], "0") << out;
  EXPECT_EQ(count_of(out, ":status: 200"), 1u) << out;
  EXPECT_EQ(levee.process->wait(10s), 0) << levee.process->output();
}

TEST(Http2Test, RapidResetGetsGoawayEnhanceYourCalmAndOthersAreStillServed) {
  auto backend = start_backend();
  auto levee = start_levee(basic_config(backend_address(backend), h2c_listener));
  const auto attack = run_command("python3 " LEVEE_SOURCE_DIR "/tests/integration/support/h2_rapid_reset.py " +
                                  std::to_string(levee.port) + " 1000 2>&1");
  ASSERT_EQ(attack.status, 0) << attack.output;
  EXPECT_NE(attack.output.find("goaway 11\n"), std::string::npos) << attack.output;  // ENHANCE_YOUR_CALM
  EXPECT_NE(attack.output.find("closed"), std::string::npos) << attack.output;
  EXPECT_EQ(metric_value(levee.admin_port, "levee_h2_abuse_total{rule=\"rapid_reset\"}"), 1);
  const auto state = fetch(levee.admin_port, "GET", "/state");
  EXPECT_NE(state.body.find("\"rapid_reset\":1"), std::string::npos) << state.body;  // /state's http2 section
  const auto after = run_command("nghttp " + url(levee, "/") + " 2>&1");
  ASSERT_EQ(after.status, 0) << after.output;
  EXPECT_EQ(after.output, "levee-load backend\n");
}

class Http2TlsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new fs::path(fs::temp_directory_path() / ("levee-h2-tls-" + std::to_string(getpid())));
    fs::create_directories(*dir_);
    make_certificate(*dir_, "localhost");
  }
  static void TearDownTestSuite() {
    fs::remove_all(*dir_);
    delete dir_;
    dir_ = nullptr;
  }
  static std::string tls_listener(bool http2) {
    return "  tls:\n    cert_file: " + (*dir_ / "localhost.pem").string() + "\n    key_file: " +
           (*dir_ / "localhost.key").string() + "\n" + (http2 ? "  http2:\n    enabled: true\n" : "");
  }
  static std::string curl(const Levee& levee, const std::string& flags) {
    return "curl -sS --max-time 10 --cacert " + (*dir_ / "localhost.pem").string() + " " + flags +
           " -w '%{http_version} %{http_code}' -o /dev/null https://localhost:" + std::to_string(levee.port) +
           "/ --resolve localhost:" + std::to_string(levee.port) + ":127.0.0.1 2>&1";
  }
  static fs::path* dir_;
};

fs::path* Http2TlsTest::dir_ = nullptr;

TEST_F(Http2TlsTest, AlpnH2IsServedAsHttp2AndHttp11StaysAvailable) {
  auto backend = start_backend();
  auto levee = start_levee(basic_config(backend_address(backend), tls_listener(true)));
  const auto h2 = run_command(curl(levee, "--http2"));
  ASSERT_EQ(h2.status, 0) << h2.output;
  EXPECT_EQ(h2.output, "2 200");
  const auto h11 = run_command(curl(levee, "--http1.1"));
  ASSERT_EQ(h11.status, 0) << h11.output;
  EXPECT_EQ(h11.output, "1.1 200");
  const auto nghttp = run_command("nghttp -v " + url(levee, "/", "https") + " 2>&1");
  ASSERT_EQ(nghttp.status, 0) << nghttp.output;
  EXPECT_NE(nghttp.output.find("levee-load backend"), std::string::npos) << nghttp.output;
  EXPECT_EQ(metric_value(levee.admin_port, "levee_h2_connections_total"), 2);
}

TEST_F(Http2TlsTest, WithoutHttp2EnabledAlpnDoesNotOfferH2) {
  auto backend = start_backend();
  auto levee = start_levee(basic_config(backend_address(backend), tls_listener(false)));
  const auto asked = run_command(curl(levee, "--http2"));
  ASSERT_EQ(asked.status, 0) << asked.output;
  EXPECT_EQ(asked.output, "1.1 200");
}

}  // namespace
}  // namespace levee::testing
