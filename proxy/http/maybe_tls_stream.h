#pragma once
// A connection's byte stream: plain TCP, or TLS over that TCP. The client side when
// listener.tls is on, the service side when upstreams[].tls is.
//
// One concrete type for both, so the request path (sessions, body relays, tunnels, the upstream
// exchange) is written once: reads and writes go to the TLS layer when there is one and straight to the
// DeadlineStream otherwise, by a branch, not a virtual call, and with no allocation per
// operation. Timeouts are the DeadlineStream's (expires_after applies to the TLS records' reads
// and writes as well), and socket() is the TCP socket for what looks at the connection itself
// (the client-gone watches, cancellation, shutdown).
//
// A TLS peer that closes without close_notify makes OpenSSL report stream_truncated; reads
// report it as end-of-stream, as for a plain peer that closed: HTTP/1.1 framing, not the TLS
// close, says whether a message was complete.
//
// Not thread-safe: one worker thread, like the session that owns it. With TLS, one read and
// one write may be pending at once (a tunnel relays both ways), as with the plain socket.

#include <boost/asio/associator.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/stream.hpp>

#include "proxy/http/deadline_stream.h"
#include "proxy/http/immediate_io.h"
#include "proxy/http/worker_executor.h"

#include <array>
#include <chrono>
#include <memory>
#include <optional>
#include <utility>

namespace levee::http {

namespace detail {

// Completes a TLS read with eof where OpenSSL said stream_truncated (see above).
template <class Handler>
struct TruncationAsEof {
  Handler handler;
  void operator()(boost::system::error_code ec, std::size_t n) {
    if (ec == boost::asio::ssl::error::stream_truncated) ec = boost::asio::error::eof;
    std::move(handler)(ec, n);
  }
};

}  // namespace detail

class MaybeTlsStream {
 public:
  using executor_type = DeadlineStream::executor_type;
  using TlsLayer = boost::asio::ssl::stream<DeadlineStream&>;

  explicit MaybeTlsStream(Socket socket) : tcp_(std::move(socket)) {}
  // Unconnected, to connect through tcp().
  explicit MaybeTlsStream(boost::asio::io_context& context) : tcp_(context) {}
  explicit MaybeTlsStream(const executor_type& executor) : tcp_(executor) {}
  MaybeTlsStream(const MaybeTlsStream&) = delete;
  MaybeTlsStream& operator=(const MaybeTlsStream&) = delete;

  // Makes this a TLS connection with `context` (the caller runs the handshake, as server or
  // client, on tls()). The context is kept for the connection's life: a reload that swaps it
  // does not touch this one.
  void use_tls(std::shared_ptr<boost::asio::ssl::context> context) {
    context_ = std::move(context);
    tls_.emplace(tcp_, *context_);
  }
  bool is_tls() const { return tls_.has_value(); }
  // Null until use_tls().
  TlsLayer* tls() { return tls_ ? &*tls_ : nullptr; }

  executor_type get_executor() noexcept { return tcp_.get_executor(); }
  DeadlineStream& tcp() { return tcp_; }
  Socket& socket() { return tcp_.socket(); }
  void expires_after(std::chrono::nanoseconds timeout) { tcp_.expires_after(timeout); }
  void expires_never() { tcp_.expires_never(); }
  // Cancels pending operations (they complete with operation_aborted); the connection stays.
  void cancel() { tcp_.cancel(); }

  // A write that never waits (immediate_io.h), on a plain connection. A TLS one does
  // nothing here (0 bytes, no error): its bytes are OpenSSL's records, and they go through the
  // asynchronous calls. So does a closed socket, whose operation then reports why.
  template <class ConstBufferSequence>
  std::size_t write_some_now(const ConstBufferSequence& buffers, boost::system::error_code& ec) {
    ec.clear();
    if (tls_ || !socket().is_open()) return 0;
    std::array<iovec, 16> storage;
    return send_now(socket().native_handle(), iovecs_of(buffers, storage), ec);
  }

  template <class MutableBufferSequence, class ReadToken>
  auto async_read_some(const MutableBufferSequence& buffers, ReadToken&& token) {
    return boost::asio::async_initiate<ReadToken, void(boost::system::error_code, std::size_t)>(
        [this](auto handler, const MutableBufferSequence& b) {
          if (tls_)
            tls_->async_read_some(b, detail::TruncationAsEof<decltype(handler)>{std::move(handler)});
          else
            tcp_.async_read_some(b, std::move(handler));
        },
        token, buffers);
  }

  template <class ConstBufferSequence, class WriteToken>
  auto async_write_some(const ConstBufferSequence& buffers, WriteToken&& token) {
    return boost::asio::async_initiate<WriteToken, void(boost::system::error_code, std::size_t)>(
        [this](auto handler, const ConstBufferSequence& b) {
          if (tls_)
            tls_->async_write_some(b, std::move(handler));
          else
            tcp_.async_write_some(b, std::move(handler));
        },
        token, buffers);
  }

 private:
  DeadlineStream tcp_;
  std::shared_ptr<boost::asio::ssl::context> context_;
  std::optional<TlsLayer> tls_;  // after tcp_: it refers to it
};

}  // namespace levee::http

// The wrapped handler keeps the wrapped one's executor, allocator and cancellation slot, so a
// coroutine's read over TLS resumes exactly as a plain one does.
template <template <typename, typename> class Associator, typename Handler, typename DefaultCandidate>
struct boost::asio::associator<Associator, levee::http::detail::TruncationAsEof<Handler>, DefaultCandidate>
    : Associator<Handler, DefaultCandidate> {
  static typename Associator<Handler, DefaultCandidate>::type get(
      const levee::http::detail::TruncationAsEof<Handler>& h) noexcept {
    return Associator<Handler, DefaultCandidate>::get(h.handler);
  }
  static auto get(const levee::http::detail::TruncationAsEof<Handler>& h, const DefaultCandidate& c) noexcept
      -> decltype(Associator<Handler, DefaultCandidate>::get(h.handler, c)) {
    return Associator<Handler, DefaultCandidate>::get(h.handler, c);
  }
};
