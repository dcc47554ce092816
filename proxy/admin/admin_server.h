#pragma once
// The admin listener (127.0.0.1:9901 by default): /metrics, /healthz, /readyz, /config.
//
// It knows nothing of the proxy: the server hands it one function per endpoint. Admin traffic
// never goes through admission and is never a latency sample. Small requests only (8 KiB
// header, 4 KiB body), keep-alive, 30 s idle timeout, at most 64 connections at once (more
// are closed at accept), and a pause instead of a spin when accept fails (out of descriptors).
//
// A browser on the same host can reach 127.0.0.1 too, so a page the operator visits could
// POST /reload. Mutating requests are refused (403) when they carry an Origin header (every
// browser sends one with a cross-origin POST; curl and kubectl do not) or name a Host that is
// not an address or localhost (DNS rebinding points a name the page controls at 127.0.0.1).
//
// With admin.token_file set, every request but the probes (GET /healthz, /readyz: a kubelet
// carries no token) must carry `Authorization: Bearer <token>`, else 401 with
// `WWW-Authenticate: Bearer`. The token is compared in constant time.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/http/status.hpp>

#include <functional>
#include <optional>
#include <string>

namespace levee::admin {

struct AdminReply {
  boost::beast::http::status status = boost::beast::http::status::ok;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
  bool ask_for_token = false;  // a 401: the reply says how to authenticate (WWW-Authenticate)
};

struct AdminEndpoints {
  std::function<std::string()> metrics;      // Prometheus text exposition
  // Why levee is not ready (a line per reason: "draining", an unhealthy upstream), or nullopt
  // when it is; /readyz answers 503 with the reason, or 200.
  std::function<std::optional<std::string>()> not_ready;
  std::function<std::string()> config_yaml;  // the effective configuration
  std::function<AdminReply()> state;         // live state as JSON; optional
  std::function<AdminReply()> reload;        // POST /reload; optional
  std::string token;                         // admin.token; "" no token asked for
};

class AdminServer {
 public:
  AdminServer(boost::asio::io_context& context, const boost::asio::ip::tcp::endpoint& endpoint,
              AdminEndpoints endpoints);

  boost::asio::ip::tcp::endpoint local_endpoint() const { return acceptor_.local_endpoint(); }
  void start();
  void close();  // thread-safe

 private:
  boost::asio::awaitable<void> accept_loop();
  boost::asio::awaitable<void> serve(boost::asio::ip::tcp::socket socket);

  boost::asio::io_context& context_;
  boost::asio::ip::tcp::acceptor acceptor_;
  AdminEndpoints endpoints_;
  std::size_t connections_ = 0;  // open now; touched only on the admin context's thread
};

// What the admin server reads of a request besides method and target.
struct AdminRequest {
  std::string_view method;
  std::string_view target;
  std::string_view host;    // Host header, "" when absent
  std::string_view origin;  // Origin header, "" when absent
  std::string_view authorization;  // Authorization header, "" when absent
};

// Pure routing of one admin request; exposed for tests.
AdminReply handle_admin_request(const AdminEndpoints& endpoints, const AdminRequest& request);

}  // namespace levee::admin
