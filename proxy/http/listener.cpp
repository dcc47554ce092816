#include "proxy/http/listener.h"

#include "proxy/http/client_session.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <spdlog/spdlog.h>

namespace levee::http {
namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

asio::awaitable<void> refuse(tcp::socket socket) {
  static constexpr std::string_view busy =
      "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 32\r\nConnection: close\r\n"
      "Retry-After: 1\r\nlevee-error: too many connections\r\n\r\nlevee: too many open connections\n";
  co_await asio::async_write(socket, asio::buffer(busy), asio::as_tuple(asio::use_awaitable));
  boost::system::error_code ignored;
  socket.shutdown(tcp::socket::shutdown_both, ignored);
}

}  // namespace

Listener::Listener(WorkerPool& workers, std::vector<Worker*> worker_states, ProxyShared& shared,
                   const tcp::endpoint& endpoint)
    : workers_(workers), worker_states_(std::move(worker_states)), shared_(shared), acceptor_(workers.context(0)) {
  acceptor_.open(endpoint.protocol());
  acceptor_.set_option(asio::socket_base::reuse_address(true));
  acceptor_.bind(endpoint);
  acceptor_.listen(asio::socket_base::max_listen_connections);
}

void Listener::start() {
  asio::co_spawn(workers_.context(0), accept_loop(), asio::detached);
}

void Listener::close() {
  asio::post(workers_.context(0), [this] {
    boost::system::error_code ignored;
    acceptor_.close(ignored);
  });
}

asio::awaitable<void> Listener::accept_loop() {
  std::size_t next = 0;
  while (acceptor_.is_open()) {
    Worker& worker = *worker_states_[next];
    next = (next + 1) % worker_states_.size();
    auto [ec, socket] = co_await acceptor_.async_accept(worker.context, asio::as_tuple(asio::use_awaitable));
    if (ec) {
      if (ec == asio::error::operation_aborted || !acceptor_.is_open()) break;
      // EMFILE and friends: keep serving the connections we have rather than spin.
      spdlog::warn("accept failed: {}", ec.message());
      asio::steady_timer pause(acceptor_.get_executor(), std::chrono::milliseconds(50));
      co_await pause.async_wait(asio::as_tuple(asio::use_awaitable));
      continue;
    }
    const auto runtime = shared_.runtime();
    const auto open = shared_.open_connections.fetch_add(1, std::memory_order_relaxed) + 1;
    if (open > runtime->config->listener.max_connections) {
      shared_.open_connections.fetch_sub(1, std::memory_order_relaxed);
      shared_.metrics.client_connections_rejected().Increment();
      asio::co_spawn(worker.context, refuse(std::move(socket)), asio::detached);
      continue;
    }
    shared_.metrics.client_connections_total().Increment();
    asio::post(worker.context, [&worker, &shared = shared_, s = std::move(socket)]() mutable {
      auto session = std::make_shared<ClientSession>(std::move(s), worker, shared);
      asio::co_spawn(worker.context, [session]() { return session->run(); }, asio::detached);
    });
  }
}

}  // namespace levee::http
