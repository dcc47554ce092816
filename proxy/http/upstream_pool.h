#pragma once
// Keep-alive connections from one worker to one upstream.
//
// Each worker owns its pool, so acquire/release need no lock; only the cap on open connections
// is shared by all workers (one atomic per upstream). Idle connections are reused newest first
// (warm caches, and the oldest ones age out), dropped when idle longer than the upstream's idle
// timeout, and probed for a peer close before reuse so a stale socket rarely costs a request.
// With upstreams[].tls, a new connection runs its TLS handshake (upstream_tls.h) within the
// connect timeout before it is handed out; pooled ones keep their session.

#include "proxy/config/config.h"
#include "proxy/http/exchange_error.h"
#include "proxy/http/maybe_tls_stream.h"
#include "proxy/http/per_worker_count.h"
#include "proxy/http/upstream_tls.h"
#include "proxy/http/worker_executor.h"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <vector>

namespace levee::http {

// Counters shared by every worker's pool for one upstream. The two that change on every
// keep-alive request (a connection taken from the idle list and put back) are kept per worker;
// the others change only when a connection opens or closes.
struct UpstreamShared {
  explicit UpstreamShared(std::size_t workers = 1) : idle(workers), reuses(workers) {}
  std::atomic<std::uint64_t> open{0};  // connections open now (in use + idle), all workers
  std::atomic<std::uint64_t> connects{0};
  PerWorkerCount idle;
  PerWorkerCount reuses;
};

class UpstreamConnection {
 public:
  UpstreamConnection(boost::asio::io_context& context, UpstreamShared& shared);
  ~UpstreamConnection();
  UpstreamConnection(const UpstreamConnection&) = delete;
  UpstreamConnection& operator=(const UpstreamConnection&) = delete;

  MaybeTlsStream& stream() { return stream_; }
  boost::beast::flat_buffer& buffer() { return buffer_; }
  bool reused() const { return reused_; }
  // Never goes back to the pool, whatever the exchange says: a connection that carried an
  // upgrade request belongs to that one client (a tunnel, or a declined handshake).
  void retire() { retired_ = true; }

 private:
  friend class UpstreamPool;
  MaybeTlsStream stream_;
  boost::beast::flat_buffer buffer_;
  UpstreamShared& shared_;
  std::chrono::steady_clock::time_point idle_since_{};
  bool reused_ = false;
  bool retired_ = false;
};

enum class AcquireError { none, pool_exhausted, connect_refused, connect_timeout, tls_handshake };

// What a failed acquire (or an HTTP/2 connect) means for the exchange that needed it.
constexpr ExchangeError exchange_error_of(AcquireError error) {
  switch (error) {
    case AcquireError::pool_exhausted: return ExchangeError::pool_exhausted;
    case AcquireError::connect_timeout: return ExchangeError::connect_timeout;
    case AcquireError::connect_refused: return ExchangeError::connect_refused;
    case AcquireError::tls_handshake: return ExchangeError::upstream_tls;
    case AcquireError::none: break;
  }
  return ExchangeError::none;
}

struct Acquired {
  std::unique_ptr<UpstreamConnection> connection;  // null on error
  AcquireError error = AcquireError::none;
};

class H2UpstreamPool;

class UpstreamPool {
 public:
  UpstreamPool(boost::asio::io_context& context, const config::UpstreamConfig& config,
               std::vector<boost::asio::ip::tcp::endpoint> endpoints, UpstreamShared& shared,
               std::size_t worker, UpstreamTls tls = {});
  ~UpstreamPool();
  UpstreamPool(const UpstreamPool&) = delete;
  UpstreamPool& operator=(const UpstreamPool&) = delete;

  // The HTTP/2 connections of an h2c upstream (h2_upstream_pool.h); null for HTTP/1.1, whose
  // requests use acquire/release below.
  H2UpstreamPool* h2() { return h2_.get(); }

  const config::UpstreamConfig& config() const { return config_; }

  // A live idle connection, if one is pooled: what a keep-alive request gets, without a
  // coroutine. Stale ones found on the way are closed.
  std::unique_ptr<UpstreamConnection> reuse_idle(std::chrono::steady_clock::time_point now);
  // reuse_idle(), else a new connection (connect_timeout applies). `fresh_only` skips the idle
  // list: the retry after a stale reused connection failed.
  Awaitable<Acquired> acquire(std::chrono::steady_clock::time_point now, bool fresh_only);

  // Returns a connection after a complete exchange. Not reusable (error, close, leftover bytes)
  // means it is closed here.
  void release(std::unique_ptr<UpstreamConnection> connection, bool reusable,
               std::chrono::steady_clock::time_point now);

  // Closes idle connections past the idle timeout; the server calls it about once a second.
  void sweep(std::chrono::steady_clock::time_point now);
  void close_idle();
  // At shutdown, with the worker stopped and before its io_context goes: every connection the
  // pool still holds is closed, busy HTTP/2 ones too (their I/O objects must not outlive it).
  void close_all();

 private:
  bool still_open(UpstreamConnection& connection) const;
  // Two counters read one after the other can disagree for a moment: never below zero.
  std::uint64_t in_use() const {
    const std::uint64_t open = shared_.open.load(std::memory_order_relaxed);
    const auto idle = static_cast<std::uint64_t>(std::max<std::int64_t>(shared_.idle.total(), 0));
    return open > idle ? open - idle : 0;
  }

  boost::asio::io_context& context_;
  config::UpstreamConfig config_;
  std::vector<boost::asio::ip::tcp::endpoint> endpoints_;
  UpstreamShared& shared_;
  std::size_t worker_;  // this pool's slot in shared_'s per-worker counts
  UpstreamTls tls_;  // no context: plain HTTP
  std::vector<std::unique_ptr<UpstreamConnection>> idle_;  // back = most recently used
  std::unique_ptr<H2UpstreamPool> h2_;
};

}  // namespace levee::http
