#pragma once
// One HTTP/2 client connection (h2c by prior knowledge, or ALPN h2 over TLS): thin I/O around
// h2::ServerConnection (proxy/h2), on the worker of the ClientSession that detected it.
//
// - read loop: socket -> feed() -> events, each handed to its stream (h2_stream.h);
// - write loop: pending_output() -> socket, woken whenever anything adds output; after each
//   write, streams waiting for their queued response to drain are woken (flow control);
// - idle: with no open stream for listener.idle_timeout, GOAWAY and close;
// - drain: a GOAWAY announcing shutdown at once, the final GOAWAY(NO_ERROR) a second later;
//   streams already open are answered, then the connection closes (as an HTTP/1.1 connection
//   finishes its response and closes);
// - abuse: when the guard names a rule the connection sends GOAWAY ENHANCE_YOUR_CALM and
//   stops reading (ServerConnection); the session flushes it and closes.
//
// Every call into ServerConnection happens on the worker's one thread: stream coroutines run
// there too, so no locks. Streams hold the session (shared_ptr) until they end; the socket is
// the ClientSession's and is only touched by run()'s loops, which end before run() returns.

#include "proxy/h2/server_connection.h"
#include "proxy/http/maybe_tls_stream.h"
#include "proxy/http/proxy_state.h"
#include "proxy/http/worker_executor.h"
#include "proxy/policy/ip_address.h"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace levee::http {

struct H2Stream;

class H2Session : public std::enable_shared_from_this<H2Session> {
 public:
  H2Session(MaybeTlsStream& stream, Worker& worker, ProxyShared& shared, std::string_view client_address,
            const std::optional<policy::IpAddress>& peer, const config::ListenerConfig& listener);
  ~H2Session();
  H2Session(const H2Session&) = delete;
  H2Session& operator=(const H2Session&) = delete;

  // Serves the connection to its end; `already_read`: the bytes the detection read (the
  // client preface at least), fed first.
  Awaitable<void> run(std::string_view already_read);
  void drain();

  // For the streams (h2_stream.cpp).
  h2::ServerConnection& connection() { return connection_; }
  void wake_writer();
  Worker& worker() { return worker_; }
  ProxyShared& shared() { return shared_; }
  std::string_view client_address() const { return client_address_; }
  const std::optional<policy::IpAddress>& peer() const { return peer_; }
  bool is_tls() const { return tls_; }
  // A stream's response body stops being queued past this many bytes until the client reads.
  static constexpr std::size_t response_high_water = 64 * 1024;

 private:
  Awaitable<void> read_loop();
  Awaitable<void> write_loop();
  void feed(std::string_view bytes);
  void dispatch();
  void stream_ended(std::int32_t id);
  void arm_idle_timer(std::chrono::nanoseconds after);
  void stop_reading();

  MaybeTlsStream& stream_;
  Worker& worker_;
  ProxyShared& shared_;
  std::string client_address_;
  std::optional<policy::IpAddress> peer_;
  // Read once: streams may still run after run() returned and the socket is gone.
  const bool tls_;
  std::chrono::nanoseconds idle_timeout_;
  std::uint64_t max_request_body_;  // request bodies held whole, all streams together (h2_stream.h)
  std::uint64_t held_request_bytes_ = 0;
  h2::ServerConnection connection_;
  std::unordered_map<std::int32_t, std::shared_ptr<H2Stream>> streams_;
  boost::asio::steady_timer write_wake_;
  boost::asio::steady_timer idle_timer_;
  boost::asio::steady_timer drain_timer_;
  boost::asio::steady_timer write_deadline_;  // a write stalled this long ends the connection
  std::uint64_t write_generation_ = 0;
  std::string write_buffer_;
  policy::TimePoint last_active_;
  bool reading_ = true;   // false once the client closed, the socket failed, or the connection ends
  bool draining_ = false;
  bool abuse_counted_ = false;
};

}  // namespace levee::http
