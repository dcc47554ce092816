#include "proxy/admin/admin_server.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/address_v4.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <spdlog/spdlog.h>

namespace levee::admin {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bh = boost::beast::http;
using asio::ip::tcp;

namespace {
constexpr auto use_tuple = asio::as_tuple(asio::deferred);
constexpr auto idle_timeout = std::chrono::seconds(30);
constexpr std::size_t max_connections = 64;
constexpr std::size_t max_body_bytes = 4 * 1024;
constexpr auto accept_failure_pause = std::chrono::milliseconds(50);

AdminReply text(bh::status status, std::string body) {
  return AdminReply{status, "text/plain; charset=utf-8", std::move(body)};
}

// "127.0.0.1:9901", "[::1]:9901", "10.1.2.3", "localhost:9901": an address or localhost.
bool names_this_host(std::string_view host) {
  if (host.empty()) return true;  // HTTP/1.0 without Host: not a browser
  if (host.front() == '[') return host.find(']') != std::string_view::npos;
  const std::string_view name = host.substr(0, host.rfind(':'));
  if (name == "localhost") return true;
  boost::system::error_code ec;
  asio::ip::make_address_v4(name, ec);
  return !ec;
}
// Looks at every byte whatever the first difference, so the time taken does not tell a guesser
// how much of a guess was right (only the length can leak; the token is at least 16 bytes).
bool same_token(std::string_view given, std::string_view token) {
  if (given.size() != token.size()) return false;
  unsigned char difference = 0;
  for (std::size_t i = 0; i < token.size(); ++i) difference |= static_cast<unsigned char>(given[i] ^ token[i]);
  return difference == 0;
}

// The probes answer without a token: a kubelet or load balancer health check carries none,
// and they tell nothing a token protects.
bool is_probe(std::string_view method, std::string_view path) {
  return (method == "GET" || method == "HEAD") && (path == "/healthz" || path == "/readyz");
}

// "Bearer <token>"; the scheme is case-insensitive (RFC 9110 11.1).
bool carries_token(std::string_view authorization, std::string_view token) {
  constexpr std::string_view scheme = "bearer ";
  if (authorization.size() < scheme.size()) return false;
  for (std::size_t i = 0; i < scheme.size(); ++i) {
    const char c = authorization[i];
    if ((c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c) != scheme[i]) return false;
  }
  return same_token(authorization.substr(scheme.size()), token);
}

}  // namespace

AdminReply handle_admin_request(const AdminEndpoints& endpoints, const AdminRequest& request) {
  const std::string_view method = request.method;
  const std::string_view path = request.target.substr(0, request.target.find('?'));
  const bool get = method == "GET" || method == "HEAD";
  if (!endpoints.token.empty() && !is_probe(method, path) && !carries_token(request.authorization, endpoints.token)) {
    AdminReply denied = text(bh::status::unauthorized, "admin endpoints need Authorization: Bearer <admin.token_file>\n");
    denied.ask_for_token = true;
    return denied;
  }
  if (path == "/reload") {
    if (method != "POST") return text(bh::status::method_not_allowed, "use POST /reload\n");
    if (!request.origin.empty() || !names_this_host(request.host))
      return text(bh::status::forbidden, "refused: a cross-site request (Origin or a Host name) may not reload levee\n");
    if (!endpoints.reload) return text(bh::status::not_implemented, "reload is not available\n");
    return endpoints.reload();
  }
  if (!get) return text(bh::status::method_not_allowed, "admin endpoints answer GET\n");
  if (path == "/metrics")
    return AdminReply{bh::status::ok, "text/plain; version=0.0.4; charset=utf-8", endpoints.metrics()};
  if (path == "/healthz") return text(bh::status::ok, "ok\n");
  if (path == "/readyz") {
    if (auto why = endpoints.not_ready()) return text(bh::status::service_unavailable, std::move(*why));
    return text(bh::status::ok, "ready\n");
  }
  if (path == "/config") return AdminReply{bh::status::ok, "application/yaml", endpoints.config_yaml()};
  if (path == "/state" && endpoints.state) return endpoints.state();
  if (path == "/")
    return text(bh::status::ok, "levee admin: /metrics /healthz /readyz /config /state, POST /reload\n");
  return text(bh::status::not_found, "unknown admin endpoint\n");
}

AdminServer::AdminServer(asio::io_context& context, const tcp::endpoint& endpoint, AdminEndpoints endpoints)
    : context_(context), acceptor_(context), endpoints_(std::move(endpoints)) {
  acceptor_.open(endpoint.protocol());
  acceptor_.set_option(asio::socket_base::reuse_address(true));
  acceptor_.bind(endpoint);
  acceptor_.listen();
}

void AdminServer::start() { asio::co_spawn(context_, accept_loop(), asio::detached); }

void AdminServer::close() {
  asio::post(context_, [this] {
    boost::system::error_code ignored;
    acceptor_.close(ignored);
  });
}

asio::awaitable<void> AdminServer::accept_loop() {
  while (acceptor_.is_open()) {
    auto [ec, socket] = co_await acceptor_.async_accept(use_tuple);
    if (ec) {
      if (!acceptor_.is_open()) break;
      // Out of descriptors (EMFILE) and the like: retrying at once would spin the control
      // thread, which also serves reloads and signals.
      spdlog::warn("admin accept failed: {}", ec.message());
      asio::steady_timer pause(context_, accept_failure_pause);
      co_await pause.async_wait(use_tuple);
      continue;
    }
    if (connections_ >= max_connections) {
      boost::system::error_code ignored;
      socket.close(ignored);
      continue;
    }
    ++connections_;
    asio::co_spawn(context_, serve(std::move(socket)), [this](const std::exception_ptr&) { --connections_; });
  }
}

asio::awaitable<void> AdminServer::serve(tcp::socket socket) {
  beast::tcp_stream stream(std::move(socket));
  beast::flat_buffer buffer;
  for (;;) {
    bh::request_parser<bh::string_body> parser;
    parser.header_limit(8 * 1024);
    parser.body_limit(max_body_bytes);
    stream.expires_after(idle_timeout);
    auto [ec, n] = co_await bh::async_read(stream, buffer, parser, use_tuple);
    if (ec) break;
    const auto& request = parser.get();
    AdminReply answer;
    try {
      answer = handle_admin_request(endpoints_, AdminRequest{request.method_string(), request.target(),
                                                             request[bh::field::host], request[bh::field::origin],
                                                             request[bh::field::authorization]});
    } catch (const std::exception& e) {
      answer = text(bh::status::internal_server_error, std::string("error: ") + e.what() + "\n");
    }
    bh::response<bh::string_body> response{answer.status, request.version()};
    response.set(bh::field::server, "levee-admin");
    response.set(bh::field::content_type, answer.content_type);
    if (answer.ask_for_token) response.set(bh::field::www_authenticate, "Bearer");
    response.body() = std::move(answer.body);
    response.prepare_payload();
    if (request.method() == bh::verb::head) response.body().clear();
    response.keep_alive(request.keep_alive());
    auto [write_ec, written] = co_await bh::async_write(stream, response, use_tuple);
    if (write_ec || !request.keep_alive()) break;
  }
  boost::system::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
}

}  // namespace levee::admin
