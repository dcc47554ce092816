#include "proxy/http/h2_upstream_pool.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>

namespace levee::http {
namespace asio = boost::asio;

namespace {

policy::H2ClientPoolSettings pool_settings(const config::UpstreamConfig& config) {
  policy::H2ClientPoolSettings settings;
  // upstreams[].max_connections caps HTTP/1.1 connections in use across workers; for HTTP/2
  // a handful per worker carries hundreds of streams, so the policy's default stays unless
  // the operator asked for fewer.
  settings.max_connections = std::min<std::size_t>(settings.max_connections, config.max_connections);
  settings.idle_timeout = config.idle_timeout;
  return settings;
}

}  // namespace

H2UpstreamPool::H2UpstreamPool(asio::io_context& context, const config::UpstreamConfig& config,
                               std::vector<asio::ip::tcp::endpoint> endpoints, UpstreamShared& shared,
                               UpstreamTls tls)
    : context_(context),
      config_(config),
      endpoints_(std::move(endpoints)),
      shared_(shared),
      tls_(std::move(tls)),
      pool_(pool_settings(config)) {}

H2UpstreamPool::~H2UpstreamPool() {
  for (auto& [id, connection] : connections_) connection->close();
}

Awaitable<H2OpenedStream> H2UpstreamPool::open_stream(const h2::RequestHead& head, std::string_view body,
                                                      const policy::Clock& clock) {
  const policy::TimePoint give_up = clock.now() + config_.connect_timeout;
  for (;;) {
    const policy::H2PoolChoice choice = pool_.choose();
    if (choice.kind == policy::H2PoolChoice::Kind::use) {
      const auto found = connections_.find(choice.connection);
      if (found != connections_.end()) {
        auto waiter = std::make_shared<H2UpstreamStream>(context_.get_executor());
        if (const auto stream = found->second->open(head, body, waiter)) {
          pool_.on_stream_opened(choice.connection, clock.now());
          co_return H2OpenedStream{ExchangeError::none, found->second, *stream, std::move(waiter)};
        }
        // The pool's view was stale (a GOAWAY, a SETTINGS lowering the limit): refresh, choose again.
        pool_.update(choice.connection, found->second->state());
      } else {
        pool_.remove(choice.connection);
      }
      continue;
    }
    if (choice.kind == policy::H2PoolChoice::Kind::open_new) {
      const policy::H2ConnectionId id = pool_.add_connecting();
      auto connection = std::make_shared<H2UpstreamConnection>(context_, settings_, clock, shared_);
      connections_[id] = connection;
      const AcquireError error = co_await connection->connect(endpoints_, tls_, config_.connect_timeout);
      if (error != AcquireError::none) {
        pool_.remove(id);
        connections_.erase(id);
        wake_waiters();
        co_return H2OpenedStream{exchange_error_of(error), nullptr, 0, nullptr};
      }
      // close_idle() may have run while it connected (a drain): the connection is not kept.
      if (!connections_.contains(id)) co_return H2OpenedStream{ExchangeError::connect_refused, nullptr, 0, nullptr};
      connection->start([this, id] { connection_changed(id); });
      pool_.update(id, connection->state());
      wake_waiters();
      continue;
    }
    // Every connection full, or one connecting: wait for a slot, bounded.
    if (clock.now() >= give_up) co_return H2OpenedStream{ExchangeError::pool_exhausted, nullptr, 0, nullptr};
    asio::steady_timer timer(context_);
    timer.expires_after(give_up - clock.now());
    waiting_.push_back(&timer);
    co_await timer.async_wait(asio::as_tuple(asio::deferred));
    std::erase(waiting_, &timer);
  }
}

void H2UpstreamPool::connection_changed(policy::H2ConnectionId id) {
  const auto found = connections_.find(id);
  if (found == connections_.end()) return;
  pool_.update(id, found->second->state());
  // A GOAWAY'd or failed connection with nothing open goes now, not at the next sweep.
  const policy::H2ConnectionState state = found->second->state();
  if (!state.usable && state.open_streams == 0) {
    auto connection = std::move(found->second);
    connections_.erase(found);
    pool_.remove(id);
    connection->close();
  }
  wake_waiters();
}

void H2UpstreamPool::wake_waiters() {
  for (asio::steady_timer* timer : waiting_) timer->cancel();
}

void H2UpstreamPool::sweep(policy::TimePoint now) {
  for (const policy::H2ConnectionId id : pool_.to_close(now)) {
    pool_.remove(id);
    const auto found = connections_.find(id);
    if (found == connections_.end()) continue;
    auto connection = std::move(found->second);
    connections_.erase(found);
    connection->close();
  }
}

void H2UpstreamPool::close_all() {
  for (auto& [id, connection] : connections_) {
    pool_.remove(id);
    connection->close();
  }
  connections_.clear();
  wake_waiters();
}

void H2UpstreamPool::close_idle() {
  std::erase_if(connections_, [&](auto& entry) {
    if (entry.second->state().open_streams != 0) return false;
    pool_.remove(entry.first);
    entry.second->close();
    return true;
  });
  wake_waiters();
}

}  // namespace levee::http
