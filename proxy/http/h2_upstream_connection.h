#pragma once
// One HTTP/2 connection from a worker to a service (upstreams[].protocol: h2c): thin I/O around
// h2::ClientConnection (proxy/h2), the mirror of H2Session on the listener side.
//
// - connect(): TCP within the upstream's connect_timeout (then TLS with ALPN h2 for protocol
//   h2); the preface and SETTINGS go out with the first write;
// - read loop: socket -> feed() -> events, each handed to the waiter of its stream
//   (H2UpstreamStream: a queue and a steady_timer used as a signal, as H2Stream's
//   output_drained is), which the exchange coroutine (h2_forwarder.h) drains;
// - write loop: pending_output() -> socket, woken whenever anything adds output (a request, a
//   window update after the exchange passed body bytes on, a reset);
// - a socket that fails or closes ends the connection: every stream still open gets
//   StreamClosed, so its exchange fails with upstream_reset as an HTTP/1.1 one would.
//
// After every change that matters to the pool (a stream closed, GOAWAY, the connection ended)
// the owner's `on_change` runs, so the pool re-reads state(). Everything runs on the worker's
// one thread: no locks. The loops hold the connection (shared_ptr) until they end.

#include "proxy/h2/client_connection.h"
#include "proxy/http/upstream_pool.h"
#include "proxy/http/worker_executor.h"
#include "proxy/policy/clock.h"
#include "proxy/policy/h2_client_pool.h"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include "proxy/http/maybe_tls_stream.h"
#include "proxy/http/upstream_tls.h"

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace levee::http {

// What one exchange waits on: its stream's events, in order, and a signal that new ones came.
struct H2UpstreamStream {
  explicit H2UpstreamStream(const boost::asio::any_io_executor& executor) : signal(executor) {}
  std::deque<h2::ClientEvent> events;
  bool closed = false;  // StreamClosed arrived: nothing follows it
  // The exchange sleeps on it; the connection cancels it when events arrive.
  boost::asio::steady_timer signal;
};

class H2UpstreamConnection : public std::enable_shared_from_this<H2UpstreamConnection> {
 public:
  H2UpstreamConnection(boost::asio::io_context& context, const h2::Http2ClientSettings& settings,
                       const policy::Clock& clock, UpstreamShared& shared);
  ~H2UpstreamConnection();
  H2UpstreamConnection(const H2UpstreamConnection&) = delete;
  H2UpstreamConnection& operator=(const H2UpstreamConnection&) = delete;

  // Each address gets the whole timeout, as UpstreamPool::acquire does; with `tls` (protocol
  // h2) the handshake follows within the same timeout, and the service must choose h2 by ALPN.
  Awaitable<AcquireError> connect(const std::vector<boost::asio::ip::tcp::endpoint>& endpoints,
                                  const UpstreamTls& tls, std::chrono::nanoseconds timeout);
  // Starts the read and write loops, after a successful connect.
  void start(std::function<void()> on_change);
  // Opens a stream for `head` with `body` (empty: none); none when the connection cannot take
  // one now. The waiter gets the stream's events until forget().
  std::optional<std::int32_t> open(const h2::RequestHead& head, std::string_view body,
                                   std::shared_ptr<H2UpstreamStream> waiter);
  // The exchange is done with its stream (a stream still open is reset first, by the caller).
  void forget(std::int32_t stream);
  // Response body bytes the exchange passed on: the service may send as many more.
  void consume(std::int32_t stream, std::size_t n);
  void reset(std::int32_t stream, std::uint32_t code);
  // GOAWAY and close once written; open streams end with StreamClosed. on_change is not run.
  void close();

  policy::H2ConnectionState state() const;

 private:
  // `self` keeps the connection alive from the moment the loop is spawned (a parameter is in
  // the coroutine frame at once; a shared_from_this() in the body only once it first runs).
  Awaitable<void> read_loop(std::shared_ptr<H2UpstreamConnection> self);
  Awaitable<void> write_loop(std::shared_ptr<H2UpstreamConnection> self);
  void dispatch();
  void changed();
  void end(std::uint32_t code);

  MaybeTlsStream socket_;
  const policy::Clock& clock_;
  UpstreamShared& shared_;
  h2::ClientConnection connection_;
  std::unordered_map<std::int32_t, std::shared_ptr<H2UpstreamStream>> waiters_;
  std::function<void()> on_change_;
  boost::asio::steady_timer write_wake_;
  std::string write_buffer_;
  bool counted_ = false;  // counted in shared_.open
  bool ended_ = false;    // the socket failed or the connection was closed: no new stream
};

}  // namespace levee::http
