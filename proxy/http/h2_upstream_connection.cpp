#include "proxy/http/h2_upstream_connection.h"

#include "proxy/http/transfer_all_at_once.h"
#include "proxy/h2/server_connection.h"  // h2::error_code

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/error.hpp>

#include <tuple>
#include <type_traits>
#include <variant>

namespace levee::http {
namespace asio = boost::asio;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::deferred);
constexpr std::size_t read_size = 16 * 1024;
// A write that makes no progress for this long: the service stopped reading altogether.
constexpr std::chrono::seconds write_timeout{30};

std::int32_t stream_of(const h2::ClientEvent& event) {
  return std::visit(
      [](const auto& e) -> std::int32_t {
        if constexpr (std::is_same_v<std::decay_t<decltype(e)>, h2::GoAwayReceived>) return 0;
        else return e.stream;
      },
      event);
}

}  // namespace

H2UpstreamConnection::H2UpstreamConnection(asio::io_context& context, const h2::Http2ClientSettings& settings,
                                           const policy::Clock& clock, UpstreamShared& shared)
    : socket_(context),
      clock_(clock),
      shared_(shared),
      connection_(settings, clock.now()),
      write_wake_(context) {}

H2UpstreamConnection::~H2UpstreamConnection() {
  if (counted_) shared_.open.fetch_sub(1, std::memory_order_relaxed);
}

Awaitable<AcquireError> H2UpstreamConnection::connect(const std::vector<asio::ip::tcp::endpoint>& endpoints,
                                                      const UpstreamTls& tls, std::chrono::nanoseconds timeout) {
  shared_.open.fetch_add(1, std::memory_order_relaxed);
  counted_ = true;
  boost::system::error_code ec = asio::error::host_not_found;
  auto& tcp = socket_.tcp();
  for (const auto& endpoint : endpoints) {
    tcp.expires_after(timeout);
    std::tie(ec) = co_await tcp.async_connect(endpoint, use_tuple);
    if (!ec) break;
    tcp.close();
  }
  if (ec) {
    ended_ = true;
    co_return ec == boost::beast::error::timeout ? AcquireError::connect_timeout : AcquireError::connect_refused;
  }
  boost::system::error_code ignored;
  socket_.socket().set_option(asio::ip::tcp::no_delay(true), ignored);
  if (tls.context) {
    ec = co_await upstream_handshake(socket_, tls, timeout);
    // A service that did not choose h2 would answer HTTP/2 bytes as garbage: a TLS mismatch.
    if (ec || !alpn_is_h2(socket_)) {
      ended_ = true;
      co_return ec == boost::beast::error::timeout ? AcquireError::connect_timeout : AcquireError::tls_handshake;
    }
  }
  socket_.expires_never();
  shared_.connects.fetch_add(1, std::memory_order_relaxed);
  co_return AcquireError::none;
}

void H2UpstreamConnection::start(std::function<void()> on_change) {
  on_change_ = std::move(on_change);
  asio::co_spawn(socket_.get_executor(), read_loop(shared_from_this()), asio::detached);
  asio::co_spawn(socket_.get_executor(), write_loop(shared_from_this()), asio::detached);
}

std::optional<std::int32_t> H2UpstreamConnection::open(const h2::RequestHead& head, std::string_view body,
                                                       std::shared_ptr<H2UpstreamStream> waiter) {
  if (ended_) return std::nullopt;
  const auto stream = connection_.submit_request(head, body.empty(), clock_.now());
  if (!stream) return std::nullopt;
  if (!body.empty()) connection_.send_body(*stream, body, true);
  waiters_[*stream] = std::move(waiter);
  write_wake_.cancel();
  return stream;
}

void H2UpstreamConnection::forget(std::int32_t stream) { waiters_.erase(stream); }

void H2UpstreamConnection::consume(std::int32_t stream, std::size_t n) {
  connection_.consume_response_body(stream, n);
  write_wake_.cancel();
}

void H2UpstreamConnection::reset(std::int32_t stream, std::uint32_t code) {
  connection_.reset_stream(stream, code);
  write_wake_.cancel();
}

void H2UpstreamConnection::close() {
  on_change_ = nullptr;
  end(h2::error_code::no_error);
}

void H2UpstreamConnection::end(std::uint32_t code) {
  if (ended_) return;
  ended_ = true;
  // Streams still open end now (StreamClosed for each), and a GOAWAY is queued; the write loop
  // flushes it (if the socket still takes it) and then closes the socket.
  connection_.close(code);
  dispatch();
  write_wake_.cancel();
}

policy::H2ConnectionState H2UpstreamConnection::state() const {
  return policy::H2ConnectionState{.usable = !ended_ && connection_.is_usable(),
                                   .available_streams = ended_ ? 0 : connection_.available_streams(),
                                   .open_streams = connection_.open_streams(),
                                   .last_activity = connection_.last_activity()};
}

void H2UpstreamConnection::changed() {
  if (on_change_) on_change_();
}

Awaitable<void> H2UpstreamConnection::read_loop(std::shared_ptr<H2UpstreamConnection>) {
  std::string buffer;
  while (!ended_ && !connection_.should_close()) {
    buffer.resize(read_size);
    auto [ec, n] = co_await socket_.async_read_some(asio::buffer(buffer), use_tuple);
    if (ec) break;
    connection_.feed(std::string_view(buffer.data(), n), clock_.now());
    dispatch();
    write_wake_.cancel();
    changed();
  }
  // The service closed, the socket failed, or the connection is done: its streams end here.
  end(h2::error_code::internal_error);
  changed();
}

Awaitable<void> H2UpstreamConnection::write_loop(std::shared_ptr<H2UpstreamConnection>) {
  for (;;) {
    const auto output = connection_.pending_output(clock_.now());
    dispatch();  // writing may close streams (a reset went out)
    if (output.empty()) {
      if (ended_ || connection_.should_close()) break;
      write_wake_.expires_at(asio::steady_timer::time_point::max());
      co_await write_wake_.async_wait(use_tuple);
      continue;
    }
    // Copied out: exchanges may add output while this write is in flight.
    write_buffer_.assign(reinterpret_cast<const char*>(output.data()), output.size());
    connection_.consume_output(output.size());
    // The stream's deadline would cut the pending read too; that is acceptable here: a service
    // that takes no bytes for this long is gone either way.
    socket_.expires_after(write_timeout);
    auto [ec, n] = co_await asio::async_write(socket_, asio::buffer(write_buffer_), TransferAllAtOnce{}, use_tuple);
    socket_.expires_never();
    if (ec) break;
  }
  end(h2::error_code::internal_error);
  // No TLS close_notify: the GOAWAY said goodbye, and waiting for the peer's would hold the
  // connection for a round trip more.
  boost::system::error_code ignored;
  socket_.socket().shutdown(Socket::shutdown_both, ignored);
  socket_.socket().close(ignored);
  changed();
}

void H2UpstreamConnection::dispatch() {
  for (h2::ClientEvent& event : connection_.take_events()) {
    const std::int32_t id = stream_of(event);
    if (id == 0) continue;  // GOAWAY: is_usable() says it; the streams it refused get StreamClosed
    const auto found = waiters_.find(id);
    if (found == waiters_.end()) continue;  // its exchange is gone already
    H2UpstreamStream& waiter = *found->second;
    const bool closing = std::holds_alternative<h2::StreamClosed>(event);
    waiter.events.push_back(std::move(event));
    waiter.signal.cancel();
    if (closing) {
      waiter.closed = true;
      waiters_.erase(found);
    }
  }
}

}  // namespace levee::http
