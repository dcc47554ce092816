#include "proxy/http/listener.h"

#include "proxy/http/accepted_socket.h"
#include "proxy/http/client_session.h"
#include "proxy/http/peer_address.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <spdlog/spdlog.h>

#include <optional>
#include <stdexcept>
#include <string_view>

namespace levee::http {
namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

// Connections taken from the backlog in one go before the loop lets the worker's other work
// run: a burst of connects is taken in batches (one epoll_wait for many), and the sessions the
// worker already serves wait for at most this many accepts.
constexpr int max_accepts_per_turn = 16;

// Both refusals close: the client is told to come back later (or elsewhere), not to retry
// on a connection levee does not want.
constexpr std::string_view too_many_connections =
    "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 33\r\nConnection: close\r\n"
    "Retry-After: 1\r\nlevee-error: too many connections\r\n\r\nlevee: too many open connections\n";
constexpr std::string_view too_many_from_client =
    "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 42\r\nConnection: close\r\n"
    "Retry-After: 1\r\nlevee-error: too many connections from this client\r\n\r\n"
    "levee: too many open connections from you\n";

Awaitable<void> refuse(Socket socket, std::string_view answer) {
  co_await asio::async_write(socket, asio::buffer(answer), asio::as_tuple(asio::deferred));
  boost::system::error_code ignored;
  socket.shutdown(Socket::shutdown_both, ignored);
}

void start_session(Socket socket, Worker& worker, ProxyShared& shared,
                   const std::optional<policy::ConnectionsPerClient::Key>& counted, const tcp::endpoint& peer) {
  auto session = std::make_shared<ClientSession>(std::move(socket), worker, shared, ConnectionSlot(shared, counted),
                                                 ClientSession::Start::accepted, peer);
  asio::co_spawn(worker.context, [session]() { return session->run(); }, asio::detached);
}

}  // namespace

Listener::Listener(WorkerPool& workers, std::vector<Worker*> worker_states, ProxyShared& shared,
                   const tcp::endpoint& endpoint)
    : workers_(workers), worker_states_(std::move(worker_states)), shared_(shared), acceptor_(workers.context(0)) {
  // The accept loop runs on context 0 and reads worker 0's state as its own.
  if (worker_states_.empty() || &worker_states_.front()->context != &workers.context(0))
    throw std::logic_error("listener: worker 0's state must be on the accepting context");
  acceptor_.open(endpoint.protocol());
  acceptor_.set_option(asio::socket_base::reuse_address(true));
  acceptor_.bind(endpoint);
  acceptor_.listen(asio::socket_base::max_listen_connections);
  // accept_now() takes connections until the backlog is empty, then the loop waits.
  acceptor_.non_blocking(true);
  // Inherited by every accepted socket (Linux copies it), which then needs no setsockopt.
  acceptor_.set_option(asio::ip::tcp::no_delay(true));
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

Awaitable<void> Listener::accept_loop() {
  std::size_t next = 0;
  int accepted_this_turn = 0;
  while (acceptor_.is_open()) {
    Worker& worker = *worker_states_[next];
    // The peer's address comes with accept() itself, which saves each connection a getpeername().
    tcp::endpoint peer;
    boost::system::error_code ec;
    Socket socket = accept_now(acceptor_, worker.context, peer, ec);
    if (ec == asio::error::would_block) {
      accepted_this_turn = 0;
      auto [wait_ec] = co_await acceptor_.async_wait(tcp::acceptor::wait_read, asio::as_tuple(asio::deferred));
      if (wait_ec == asio::error::operation_aborted) break;
      continue;
    }
    if (ec) {
      if (!acceptor_.is_open()) break;
      if (is_connection_level(ec)) continue;
      // EMFILE and friends: keep serving the connections we have rather than spin.
      spdlog::warn("accept failed: {}", ec.message());
      asio::steady_timer pause(acceptor_.get_executor(), std::chrono::milliseconds(50));
      co_await pause.async_wait(asio::as_tuple(asio::deferred));
      continue;
    }
    next = (next + 1) % worker_states_.size();
    if (++accepted_this_turn == max_accepts_per_turn) {
      accepted_this_turn = 0;
      co_await asio::post(acceptor_.get_executor(), asio::deferred);
    }
    // Worker 0's own copy of the runtime: this loop runs on its thread (start()).
    const auto& config = shared_.runtime(*worker_states_.front())->config->listener;
    const auto open = shared_.open_connections.fetch_add(1, std::memory_order_relaxed) + 1;
    if (open > config.max_connections) {
      shared_.open_connections.fetch_sub(1, std::memory_order_relaxed);
      shared_.metrics.client_connections_rejected().Increment();
      asio::co_spawn(worker.context, refuse(std::move(socket), too_many_connections), asio::detached);
      continue;
    }
    // Counted here, on the accepting thread, so a burst from one address is refused before any
    // of it reaches a worker; the session gives its count back when it ends.
    std::optional<policy::ConnectionsPerClient::Key> counted;
    if (config.max_connections_per_client > 0) {
      const auto key = policy::ConnectionsPerClient::key_of(peer_address(peer));
      if (!shared_.connections_per_client.try_open(key, config.max_connections_per_client)) {
        shared_.open_connections.fetch_sub(1, std::memory_order_relaxed);
        shared_.metrics.client_connections_rejected_per_client().Increment();
        asio::co_spawn(worker.context, refuse(std::move(socket), too_many_from_client), asio::detached);
        continue;
      }
      counted = key;
    }
    shared_.metrics.client_connections_total().Increment();
    // A session is made on its worker's thread. This one's is made here, without a trip through
    // its queue (with one worker, every connection's).
    if (&worker == worker_states_.front()) {
      start_session(std::move(socket), worker, shared_, counted, peer);
      continue;
    }
    asio::post(worker.context, [&worker, &shared = shared_, s = std::move(socket), counted, peer]() mutable {
      start_session(std::move(s), worker, shared, counted, peer);
    });
  }
}

}  // namespace levee::http
