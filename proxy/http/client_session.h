#pragma once
// One client connection: a coroutine on its worker that reads one request header at a time,
// hands the request to the pipeline (request_pipeline.h: everything decided about a request
// is there) and writes the local reply it may return. Requests on a connection are handled
// strictly in order, so pipelined requests are safe.
//
// Timeouts: waiting for the first byte of a request uses listener.idle_timeout (silent close);
// from then on the whole header must arrive within listener.header_timeout, else 408 and close.
// The first request is the exception: its whole header, first byte included, gets one
// header_timeout from accept (silent close if nothing came, else 408).
// The header timer cancels the read instead of closing the socket (what the stream's own
// deadline would do), so the 408 can still be written. Everything runs on the worker's one
// thread; the timer handler holds a weak_ptr, so it never touches a finished session.
//
// With listener.tls, the session first runs the TLS handshake with the SSL context of the
// runtime at accept (kept for the connection's life), within listener.tls.handshake_timeout;
// the first header's timeout counts from the handshake's end. No permit is ever held across a
// handshake: none is taken before a request header has been read. On close, a TLS session
// sends close_notify (bounded wait) before closing the socket.
//
// HTTP/2: with listener.http2.enabled, a TLS connection that negotiated ALPN h2, or (with
// http2.h2c) a plain one whose first bytes are the client preface, is handed to an H2Session
// (h2_session.h) for its whole life; the bytes already read are fed to it first. The first
// bytes count against the first header's timeout, as for HTTP/1.1.
//
// Idle connections (client_session_idle.cpp, with the wait and its header timer): at each
// maintenance tick (1 s) an idle connection gives its buffers back; a plain HTTP/1.1 one still
// waiting for the same next request at the following tick is handed to a ParkedConnection
// (parked_connection.h) and this session ends, so a long-idle connection costs its socket and
// little else. The parked connection starts a new session (Start::resumed_readable) when bytes
// arrive. The connection's place in the accounting (ConnectionSlot) moves with it.
//
// A request the service answered with 101 turns the connection into a tunnel (tunnel.h): the
// session relays it until it ends and then closes. Drain gives an open tunnel
// tunnels.drain_grace (bounded by server.drain_timeout) before both sides are closed.

#include "proxy/http/connection_slot.h"
#include "proxy/http/h2_session.h"
#include "proxy/http/maybe_tls_stream.h"
#include "proxy/http/local_reply.h"
#include "proxy/http/proxy_state.h"
#include "proxy/http/tunnel.h"
#include "proxy/http/worker_executor.h"
#include "proxy/policy/ip_address.h"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>

#include <memory>
#include <optional>
#include <string>

namespace levee::http {

class ClientSession : public std::enable_shared_from_this<ClientSession> {
 public:
  enum class Start {
    accepted,          // a new connection: TLS handshake if configured, then its first request
    resumed_readable,  // a parked keep-alive connection whose next request is arriving
  };

  // `peer` is the client's address as accept() gave it; without it (a resumed connection: a
  // parked one does not keep it, it is all overhead) the socket is asked.
  ClientSession(Socket socket, Worker& worker, ProxyShared& shared, ConnectionSlot slot,
                Start start = Start::accepted,
                const std::optional<boost::asio::ip::tcp::endpoint>& peer = std::nullopt);
  ~ClientSession();

  Awaitable<void> run();
  // Drain: an idle connection closes now, a busy one after its current response, a tunnel
  // after its grace period.
  void drain();
  // The worker's maintenance tick (every second). While the connection waits for its next
  // request: the first tick gives the read and header buffers back to the heap (a busy
  // connection keeps them from request to request); a later one, in the same wait, parks a
  // plain connection (see above).
  void on_maintenance_tick();

 private:
  enum class Next { keep_alive, close };
  enum class Waited { request, closed, park };

  // The TLS handshake; run() calls it when the running config has TLS. False: the connection ends.
  Awaitable<bool> start_tls();
  // TLS's close_notify, bounded by close_notify_wait; then (and alone on a plain connection,
  // which so makes no coroutine to close) close_socket.
  Awaitable<void> send_close_notify();
  void close_socket();
  // The wait for the next request's first bytes, in two halves around its read, which run()
  // awaits itself (a coroutine of its own would allocate a frame for every request).
  // start_wait: false when a pipelined request is already buffered (nothing to wait for);
  // otherwise the wait is set up and run() reads into buffer_.prepare(first_read_size).
  // end_wait: what the read means; Waited::park only when may_park_ (set by run()) and the tick
  // asked for it.
  bool start_wait(std::chrono::nanoseconds timeout);
  Waited end_wait(const boost::beast::error_code& ec, std::size_t n);
  void park();
  void release_idle_buffers();
  // `header_timeout`: what is left for this request's header once its first byte is here.
  Awaitable<Next> serve_one(const ProxyRuntime& runtime, std::chrono::nanoseconds header_timeout);
  Awaitable<Next> reply(const LocalReply& reply, unsigned version, bool keep_alive, bool head,
                        std::chrono::nanoseconds timeout);
  bool negotiated_h2();  // ALPN chose h2 in the TLS handshake
  // Whether the connection speaks HTTP/2 (ALPN h2, or the h2c preface), from what is here:
  // partial when the bytes so far begin the preface and the rest decides (read_h2_preface reads
  // on until its 24 bytes are here or one differs). A plain function, because nearly every
  // connection is answered at once and a coroutine would cost each one a frame.
  enum class H2Preface { absent, present, partial };
  H2Preface h2_preface(const config::ListenerConfig& listener, bool tls_negotiated_h2) const;
  Awaitable<bool> read_h2_preface(const config::ListenerConfig& listener);
  std::string_view buffered() const;  // read from the client, not yet consumed
  Awaitable<void> serve_h2(const config::ListenerConfig& listener);
  Awaitable<void> relay_tunnel(EstablishedTunnel established, const config::Config& config);
  // What the first read of a request asks for, and the most a connection keeps of each of
  // its buffers between requests (client_session_idle.cpp): a buffer grown for one large
  // header or body is freed, one of the usual size kept. kept_body_buffer is the default
  // listener.max_buffered_response_body.
  static constexpr std::size_t first_read_size = 4096;
  static constexpr std::size_t kept_body_buffer = 64 * 1024;

  void arm_header_timer(std::chrono::nanoseconds timeout);
  void disarm_header_timer();
  void wait_header_timer();
  void on_header_timer();

  MaybeTlsStream stream_;
  // The request being served (serve_one): here rather than in the coroutine's frame, which then
  // fits Asio's recycled blocks. Emptied when the request ends, so its fields go back to the
  // worker's pool for other connections' requests.
  std::optional<RequestParser> parser_;
  boost::beast::flat_buffer buffer_;
  std::string head_buffer_;  // serialised headers to the service and back (head_serializer.h)
  std::string body_buffer_;  // a small response body read whole (Downstream::body_buffer)
  std::string request_body_buffer_;  // a small request body read whole (Downstream::request_body_buffer)
  boost::asio::steady_timer header_timer_;
  Worker& worker_;
  ProxyShared& shared_;
  std::string client_address_;
  std::optional<policy::IpAddress> peer_;  // none when unknown; trust is decided per request
  policy::TimePoint connected_at_;  // the first request's header deadline counts from here
  ConnectionSlot slot_;
  std::shared_ptr<Tunnel> tunnel_;  // while the connection is an upgrade tunnel
  std::shared_ptr<H2Session> h2_;   // while the connection speaks HTTP/2
  std::chrono::steady_clock::time_point header_deadline_;  // while header_armed_
  bool header_armed_ = false;
  bool header_timer_waiting_ = false;  // header_timer_ has a wait pending
  bool header_timed_out_ = false;
  bool idle_ = false;
  bool may_park_ = false;        // the current idle wait may end in park()
  bool park_requested_ = false;  // the tick cancelled the idle wait to park
  std::uint8_t idle_ticks_ = 0;  // maintenance ticks seen during the current idle wait
  bool resumed_ = false;
  bool tls_established_ = false;
};

}  // namespace levee::http
