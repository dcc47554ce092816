#pragma once
// A worker's HTTP/2 connections to one service (upstreams[].protocol: h2c or h2): which connection
// carries the next request is policy::H2ClientPool's rule (the least-loaded usable one; a new
// one only when all are full, one connecting at a time; retired on GOAWAY; idle ones closed);
// this class does what it says on sockets. Worker thread only, like UpstreamPool, so no lock.
//
// A request that finds every connection full (and no new one allowed) waits for a slot, up
// to the upstream's connect_timeout, then fails as pool_exhausted (503), as an HTTP/1.1
// request does at the connection cap. A connect that fails fails the request that started it
// (connect_refused / connect_timeout); the others waiting choose again.

#include "proxy/config/config.h"
#include "proxy/h2/client_connection.h"
#include "proxy/http/exchange_error.h"
#include "proxy/http/h2_upstream_connection.h"
#include "proxy/http/upstream_pool.h"
#include "proxy/http/worker_executor.h"
#include "proxy/policy/clock.h"
#include "proxy/policy/h2_client_pool.h"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include <cstdint>
#include <map>
#include <memory>
#include <string_view>
#include <vector>

namespace levee::http {

struct H2OpenedStream {
  ExchangeError error = ExchangeError::none;
  std::shared_ptr<H2UpstreamConnection> connection;  // held by the exchange until it is done
  std::int32_t stream = 0;
  std::shared_ptr<H2UpstreamStream> waiter;
};

class H2UpstreamPool {
 public:
  H2UpstreamPool(boost::asio::io_context& context, const config::UpstreamConfig& config,
                 std::vector<boost::asio::ip::tcp::endpoint> endpoints, UpstreamShared& shared,
                 UpstreamTls tls = {});
  ~H2UpstreamPool();
  H2UpstreamPool(const H2UpstreamPool&) = delete;
  H2UpstreamPool& operator=(const H2UpstreamPool&) = delete;

  const config::UpstreamConfig& config() const { return config_; }

  // A stream for the request on some connection, its body (held whole) queued behind it.
  Awaitable<H2OpenedStream> open_stream(const h2::RequestHead& head, std::string_view body,
                                        const policy::Clock& clock);

  // Closes connections the pool's rules retire (idle ones past the upstream's idle_timeout,
  // GOAWAY'd ones with nothing open); the server calls it about once a second.
  void sweep(policy::TimePoint now);
  // Closes the connections with no stream open (a drain: calls in flight finish first).
  void close_idle();
  // Closes every connection, streams in flight too (shutdown: see UpstreamPool::close_all).
  void close_all();

  std::size_t connections() const { return connections_.size(); }

 private:
  void connection_changed(policy::H2ConnectionId id);
  void wake_waiters();

  boost::asio::io_context& context_;
  config::UpstreamConfig config_;
  std::vector<boost::asio::ip::tcp::endpoint> endpoints_;
  UpstreamShared& shared_;
  UpstreamTls tls_;  // no context: h2c
  h2::Http2ClientSettings settings_;
  policy::H2ClientPool pool_;
  std::map<policy::H2ConnectionId, std::shared_ptr<H2UpstreamConnection>> connections_;
  // Requests waiting for a slot, each on its own timer (one shared timer would let each
  // waiter's new deadline cancel the others' waits, round and round).
  std::vector<boost::asio::steady_timer*> waiting_;
};

}  // namespace levee::http
