// TLS on the listener end to end: real levee with listener.tls in front of the real backend,
// certificates made by `openssl req` at test start. Clients are curl and `openssl s_client`
// (what an operator would try), and an Asio TLS client for the loops and for a TLS 1.1-only
// client that must be refused. Every wait is bounded.
#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <atomic>
#include <optional>
#include <filesystem>
#include <fstream>
#include <thread>

#include "support/child_process.h"
#include "support/shell_command.h"
#include "support/stack.h"
#include "support/test_client.h"

namespace levee::testing {
namespace {
using namespace std::chrono_literals;
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bh = boost::beast::http;
namespace fs = std::filesystem;

struct TlsAnswer {
  std::string error;    // empty: a response was read
  unsigned status = 0;
  std::string body;
  std::string peer_cn;  // the CN of the certificate levee presented
};

// A client TLS connection that can carry several requests (keep-alive). `max_version` caps
// what it offers (0: no cap). Every step is bounded by a 10 s deadline.
class TlsConnection {
 public:
  explicit TlsConnection(unsigned short port, int max_version = 0) : context_(asio::ssl::context::tls_client) {
    context_.set_verify_mode(asio::ssl::verify_none);
    if (max_version != 0) {
      // Let this client offer what a modern OpenSSL no longer does by default, so that it is
      // levee that refuses it.
      SSL_CTX_set_security_level(context_.native_handle(), 0);
      SSL_CTX_set_min_proto_version(context_.native_handle(), TLS1_VERSION);
      SSL_CTX_set_max_proto_version(context_.native_handle(), max_version);
    }
    stream_.emplace(io_, context_);
    beast::get_lowest_layer(*stream_).expires_after(10s);
    beast::get_lowest_layer(*stream_).async_connect({asio::ip::make_address("127.0.0.1"), port},
                                                    [&](beast::error_code ec) { result_ = ec; });
    if (!step("connect")) return;
    stream_->async_handshake(asio::ssl::stream_base::client, [&](beast::error_code ec) { result_ = ec; });
    if (!step("handshake")) return;
    if (X509* peer = SSL_get1_peer_certificate(stream_->native_handle())) {
      char cn[256] = {};
      X509_NAME_get_text_by_NID(X509_get_subject_name(peer), NID_commonName, cn, sizeof cn);
      peer_cn_ = cn;
      X509_free(peer);
    }
  }

  const std::string& error() const { return error_; }
  const std::string& peer_cn() const { return peer_cn_; }

  TlsAnswer get(const std::string& target, bool keep_alive = false) {
    TlsAnswer answer;
    answer.peer_cn = peer_cn_;
    if (error_.empty()) {
      bh::request<bh::string_body> request{bh::verb::get, target, 11};
      request.set(bh::field::host, "localhost");
      if (!keep_alive) request.set(bh::field::connection, "close");
      beast::get_lowest_layer(*stream_).expires_after(10s);
      bh::async_write(*stream_, request, [&](beast::error_code ec, std::size_t) { result_ = ec; });
      if (step("write")) {
        bh::response<bh::string_body> response;
        bh::async_read(*stream_, buffer_, response, [&](beast::error_code ec, std::size_t) { result_ = ec; });
        if (step("read")) {
          answer.status = response.result_int();
          answer.body = response.body();
        }
      }
    }
    answer.error = error_;
    return answer;
  }

 private:
  bool step(const char* what) {
    io_.restart();
    io_.run_for(10s);
    if (result_ && error_.empty()) error_ = std::string(what) + ": " + result_.message();
    return !result_;
  }

  asio::io_context io_;
  asio::ssl::context context_;
  std::optional<asio::ssl::stream<beast::tcp_stream>> stream_;
  beast::flat_buffer buffer_;
  beast::error_code result_;
  std::string error_;
  std::string peer_cn_;
};

// One GET over a fresh TLS connection.
TlsAnswer tls_get(unsigned short port, const std::string& target, int max_version = 0) {
  return TlsConnection(port, max_version).get(target);
}

// A counter's value once it reached `at_least`, or its last value after 2 s: a handshake is
// counted when levee's side of it completes, which may be just after the client saw its end.
double counter_reaching(unsigned short admin_port, const std::string& series, double at_least) {
  double value = 0;
  for (int i = 0; i < 100; ++i) {
    value = metric_value(admin_port, series);
    if (value >= at_least) break;
    std::this_thread::sleep_for(20ms);
  }
  return value;
}

class TlsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new fs::path(fs::temp_directory_path() / ("levee-tls-test-" + std::to_string(::getpid())));
    fs::create_directories(*dir_);
    make_certificate(*dir_, "levee-a");
    make_certificate(*dir_, "levee-b");
  }
  static void TearDownTestSuite() {
    std::error_code ignored;
    fs::remove_all(*dir_, ignored);
    delete dir_;
  }

  // Serves certificate `name` from the files cert.pem / key.pem that a reload re-reads.
  void serve(const std::string& name) {
    fs::copy_file(*dir_ / (name + ".pem"), *dir_ / "cert.pem", fs::copy_options::overwrite_existing);
    fs::copy_file(*dir_ / (name + ".key"), *dir_ / "key.pem", fs::copy_options::overwrite_existing);
  }

  std::string tls_section(const std::string& extra = "") const {
    return "  tls:\n    cert_file: " + (*dir_ / "cert.pem").string() + "\n    key_file: " +
           (*dir_ / "key.pem").string() + "\n" + extra;
  }

  Levee start(Backend& backend, const std::string& extra = "") {
    return start_levee(basic_config("127.0.0.1:" + std::to_string(backend.port), tls_section(extra)));
  }

  static fs::path* dir_;
};

fs::path* TlsTest::dir_ = nullptr;

TEST_F(TlsTest, CurlAndOpensslClientsAreServedWithHttp11Alpn) {
  serve("levee-a");
  auto backend = start_backend();
  auto levee = start(backend);
  const std::string url = "https://localhost:" + std::to_string(levee.port);

  // Verified against the certificate itself (self-signed), not -k: the chain and names are right.
  const auto curl = run_command("curl --http1.1 -sS --max-time 10 --cacert " + (*dir_ / "levee-a.pem").string() + " " + url +
                        "/headers 2>&1");
  ASSERT_EQ(curl.status, 0) << curl.output;
  EXPECT_NE(curl.output.find("GET /headers HTTP/1.1"), std::string::npos) << curl.output;
  // The service learns the caller used TLS.
  EXPECT_NE(curl.output.find("X-Forwarded-Proto: https"), std::string::npos) << curl.output;

  const auto s_client = run_command("openssl s_client -connect 127.0.0.1:" + std::to_string(levee.port) +
                            " -tls1_2 -alpn h2,http/1.1 </dev/null 2>&1");
  EXPECT_EQ(s_client.status, 0) << s_client.output;
  EXPECT_NE(s_client.output.find("ALPN protocol: http/1.1"), std::string::npos) << s_client.output;
  const auto tls13 = run_command("openssl s_client -connect 127.0.0.1:" + std::to_string(levee.port) +
                         " -tls1_3 -brief </dev/null 2>&1");
  EXPECT_EQ(tls13.status, 0) << tls13.output;
  EXPECT_NE(tls13.output.find("TLSv1.3"), std::string::npos) << tls13.output;

  EXPECT_GE(counter_reaching(levee.admin_port, "levee_tls_handshakes_total{result=\"success\"}", 3.0), 3.0);
}

TEST_F(TlsTest, OldProtocolVersionsAndPlainHttpAreRefused) {
  serve("levee-a");
  auto backend = start_backend();
  auto levee = start(backend);

  const TlsAnswer tls11 = tls_get(levee.port, "/", TLS1_1_VERSION);
  EXPECT_NE(tls11.error.find("handshake"), std::string::npos) << "a TLS 1.1 client was served: " << tls11.status;
  const TlsAnswer tls10 = tls_get(levee.port, "/", TLS1_VERSION);
  EXPECT_NE(tls10.error.find("handshake"), std::string::npos) << "a TLS 1.0 client was served: " << tls10.status;
  const auto s_client = run_command("openssl s_client -connect 127.0.0.1:" + std::to_string(levee.port) +
                            " -tls1_1 -cipher DEFAULT@SECLEVEL=0 -brief </dev/null 2>&1");
  EXPECT_NE(s_client.status, 0) << s_client.output;
  // Refused by levee, for the version (not by the client's own policy before it sent a hello).
  EXPECT_EQ(counter_reaching(levee.admin_port, "levee_tls_handshakes_total{result=\"protocol_version\"}", 3.0), 3.0);

  // Plain HTTP to the TLS port gets no answer, and is counted as such.
  const auto plain = run_command("curl -sS --max-time 5 http://127.0.0.1:" + std::to_string(levee.port) + "/ 2>&1");
  EXPECT_NE(plain.status, 0) << plain.output;
  EXPECT_EQ(counter_reaching(levee.admin_port, "levee_tls_handshakes_total{result=\"plain_http\"}", 1.0), 1.0);

  const TlsAnswer modern = tls_get(levee.port, "/");
  EXPECT_EQ(modern.error, "");
  EXPECT_EQ(modern.status, 200u);
}

TEST_F(TlsTest, AReloadSwapsTheCertificateWithoutAFailedRequest) {
  serve("levee-a");
  auto backend = start_backend();
  auto levee = start(backend);

  std::atomic<bool> stop{false};
  std::atomic<int> failures{0};
  std::atomic<int> served_a{0};
  std::atomic<int> served_b{0};
  std::string first_failure;
  std::thread loop([&] {
    // Bounded: at most 2,000 requests, each on a new connection (a new handshake).
    for (int i = 0; i < 2000 && !stop.load(); ++i) {
      const TlsAnswer answer = tls_get(levee.port, "/");
      if (!answer.error.empty() || answer.status != 200) {
        if (failures.fetch_add(1) == 0) first_failure = answer.error + " status " + std::to_string(answer.status);
        continue;
      }
      (answer.peer_cn == "levee-b" ? served_b : served_a).fetch_add(1);
    }
  });
  // A connection made before the reload: it keeps its session (and certificate) after it.
  TlsConnection kept(levee.port);
  EXPECT_EQ(kept.get("/", true).status, 200u) << kept.error();
  for (int i = 0; i < 500 && served_a.load() < 20; ++i) std::this_thread::sleep_for(10ms);
  serve("levee-b");
  const Response reloaded = fetch(levee.admin_port, "POST", "/reload");
  EXPECT_EQ(reloaded.status, 200u) << reloaded.body;
  for (int i = 0; i < 500 && served_b.load() < 20; ++i) std::this_thread::sleep_for(10ms);
  stop = true;
  loop.join();

  EXPECT_EQ(failures.load(), 0) << first_failure;
  EXPECT_GE(served_a.load(), 20);
  EXPECT_GE(served_b.load(), 20) << "new handshakes still see the old certificate";
  EXPECT_EQ(tls_get(levee.port, "/").peer_cn, "levee-b");
  const TlsAnswer after = kept.get("/", true);
  EXPECT_EQ(after.error, "");
  EXPECT_EQ(after.status, 200u);
  EXPECT_EQ(after.peer_cn, "levee-a");
}

// Mutual TLS: a CA made here signs a client certificate; `require` refuses a client without
// one, `optional` serves it, and a client with the certificate is served by both.
TEST_F(TlsTest, ClientCertificatesAreRequiredOrOptional) {
  serve("levee-a");
  const std::string d = dir_->string() + "/";
  for (const std::string& command :
       {"openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj /CN=levee-test-ca "
        "-keyout " + d + "ca.key -out " + d + "ca.pem",
        "openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj /CN=client -keyout " + d +
            "client.key -out " + d + "client.csr",
        "openssl x509 -req -in " + d + "client.csr -CA " + d + "ca.pem -CAkey " + d + "ca.key -CAcreateserial -days 2 "
        "-out " + d + "client.pem"}) {
    const auto made = run_command(command + " 2>&1");
    ASSERT_EQ(made.status, 0) << command << "\n" << made.output;
  }
  auto backend = start_backend();
  const std::string curl = "curl --http1.1 -sS --max-time 10 --cacert " + d + "levee-a.pem ";
  const std::string with_cert = "--cert " + d + "client.pem --key " + d + "client.key ";
  {
    auto levee = start(backend, "    client_ca_file: " + d + "ca.pem\n    client_verify: require\n");
    const std::string url = "https://localhost:" + std::to_string(levee.port) + "/";
    const auto without = run_command(curl + url + " 2>&1");
    EXPECT_NE(without.status, 0) << without.output;
    const auto with = run_command(curl + with_cert + url + " 2>&1");
    EXPECT_EQ(with.status, 0) << with.output;
    EXPECT_GE(counter_reaching(levee.admin_port, "levee_tls_handshakes_total{result=\"client_certificate\"}", 1.0),
              1.0);
  }
  {
    auto levee = start(backend, "    client_ca_file: " + d + "ca.pem\n    client_verify: optional\n");
    const std::string url = "https://localhost:" + std::to_string(levee.port) + "/";
    const auto without = run_command(curl + url + " 2>&1");
    EXPECT_EQ(without.status, 0) << without.output;
    const auto with = run_command(curl + with_cert + url + " 2>&1");
    EXPECT_EQ(with.status, 0) << with.output;
  }
}

TEST_F(TlsTest, AReloadWithABrokenKeyIsRefusedAndTheOldCertificateStays) {
  serve("levee-a");
  auto backend = start_backend();
  auto levee = start(backend);
  // The key of another certificate: both files load, but they do not belong together.
  fs::copy_file(*dir_ / "levee-b.key", *dir_ / "key.pem", fs::copy_options::overwrite_existing);
  Response refused = fetch(levee.admin_port, "POST", "/reload");
  EXPECT_EQ(refused.status, 400u);
  EXPECT_NE(refused.body.find("does not match"), std::string::npos) << refused.body;
  EXPECT_NE(refused.body.find((*dir_ / "key.pem").string()), std::string::npos) << refused.body;
  // Not PEM at all.
  std::ofstream(*dir_ / "cert.pem") << "not a certificate\n";
  refused = fetch(levee.admin_port, "POST", "/reload");
  EXPECT_EQ(refused.status, 400u);
  EXPECT_NE(refused.body.find("listener.tls.cert_file"), std::string::npos) << refused.body;

  const TlsAnswer answer = tls_get(levee.port, "/");
  EXPECT_EQ(answer.error, "");
  EXPECT_EQ(answer.peer_cn, "levee-a");
}

TEST_F(TlsTest, ASilentClientIsClosedAtTheHandshakeTimeout) {
  serve("levee-a");
  auto backend = start_backend();
  auto levee = start(backend, "    handshake_timeout: 200ms\n");
  TestClient silent(levee.port);
  EXPECT_TRUE(silent.closed_by_peer(5s));
  EXPECT_EQ(counter_reaching(levee.admin_port, "levee_tls_handshakes_total{result=\"timeout\"}", 1.0), 1.0);
}

// levee B forwards over TLS to levee A (a TLS listener in front of the backend): the upstream
// side's handshake, SNI and verification, and health checks over TLS.
TEST_F(TlsTest, ForwardsToATlsUpstreamAndRefusesOneItCannotVerify) {
  serve("levee-a");
  auto backend = start_backend();
  auto front = start(backend);
  const std::string upstream = "localhost:" + std::to_string(front.port);
  const auto verified = start_levee(basic_config(
      upstream, "",
      "    tls: {enabled: true, ca_file: " + (*dir_ / "levee-a.pem").string() + "}\n"
      "    health_check: {path: /headers, interval: 100ms}\n"));
  const Response through = fetch(verified.port, "GET", "/headers");
  EXPECT_EQ(through.status, 200u) << through.body;
  // levee A saw TLS from levee B, and passed the scheme on.
  EXPECT_NE(through.body.find("X-Forwarded-Proto: https"), std::string::npos) << through.body;
  Response ready;
  for (int i = 0; i < 100 && ready.status != 200; ++i) {
    ready = fetch(verified.admin_port, "GET", "/readyz");
    if (ready.status != 200) std::this_thread::sleep_for(50ms);
  }
  EXPECT_EQ(ready.status, 200u) << "health checks over TLS do not pass: " << ready.body;

  // Verified against the wrong CA: the handshake fails, the client gets 502, counted.
  const auto mistrusting = start_levee(
      basic_config(upstream, "", "    tls: {enabled: true, ca_file: " + (*dir_ / "levee-b.pem").string() + "}\n"));
  const Response refused = fetch(mistrusting.port, "GET", "/");
  EXPECT_EQ(refused.status, 502u);
  EXPECT_NE(refused.body.find("TLS"), std::string::npos) << refused.body;
  EXPECT_EQ(counter_reaching(mistrusting.admin_port, "levee_errors_total{kind=\"upstream_tls\"}", 1.0), 1.0);
  // The same with verification off: encrypted, not authenticated, and served.
  const auto trusting = start_levee(basic_config(upstream, "", "    tls: {enabled: true, verify: false}\n"));
  EXPECT_EQ(fetch(trusting.port, "GET", "/").status, 200u);
}

}  // namespace
}  // namespace levee::testing
