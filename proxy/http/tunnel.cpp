#include "proxy/http/tunnel.h"

#include "proxy/policy/tunnel_rules.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <algorithm>
#include <array>

namespace levee::http {
namespace asio = boost::asio;
namespace beast = boost::beast;
using asio::ip::tcp;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::deferred);
// Per direction. WebSocket messages are mostly small; 16 KiB moves a large one in a few steps
// and keeps 1,000 idle tunnels at 32 MiB of buffers (allocated only while a relay runs).
constexpr std::size_t tunnel_buffer_size = 16 * 1024;

}  // namespace

Tunnel::Tunnel(MaybeTlsStream& client, beast::flat_buffer& client_pending, EstablishedTunnel established,
               const policy::Clock& clock, policy::Duration idle_timeout)
    : client_(client),
      client_pending_(client_pending),
      established_(std::move(established)),
      clock_(clock),
      idle_timeout_(idle_timeout),
      last_activity_(clock.now()),
      timer_(client.get_executor()) {}

void Tunnel::drain(policy::TimePoint close_at) {
  if (finished_) return;
  drain_close_at_ = drain_close_at_ ? std::min(*drain_close_at_, close_at) : close_at;
  timer_.cancel();  // the watchdog looks again
}

void Tunnel::shut_both() {
  beast::error_code ignored;
  client_.socket().shutdown(Socket::shutdown_both, ignored);
  established_.upstream->stream().socket().shutdown(Socket::shutdown_both, ignored);
}

bool Tunnel::pass_end_of_stream(MaybeTlsStream& to) {
  if (to.is_tls()) return false;
  beast::error_code ignored;
  to.socket().shutdown(Socket::shutdown_send, ignored);
  return true;
}

template <class From, class To>
Awaitable<void> Tunnel::relay(From& from, To& to, beast::flat_buffer& pending, std::uint64_t& bytes) {
  if (pending.size() > 0) {
    auto [ec, n] = co_await asio::async_write(to, pending.data(), use_tuple);
    if (ec) {
      shut_both();
      co_return;
    }
    pending.consume(n);
    bytes += n;
  }
  const auto buffer = std::make_unique<std::array<char, tunnel_buffer_size>>();
  for (;;) {
    auto [read_ec, n] = co_await from.async_read_some(asio::buffer(*buffer), use_tuple);
    if (read_ec == asio::error::eof) {
      // The sender is done: tell the receiver, and let the other direction go on.
      if (!pass_end_of_stream(to)) shut_both();
      co_return;
    }
    if (read_ec) {
      shut_both();
      co_return;
    }
    last_activity_ = clock_.now();
    auto [write_ec, written] = co_await asio::async_write(to, asio::buffer(buffer->data(), n), use_tuple);
    if (write_ec) {
      shut_both();
      co_return;
    }
    bytes += written;
    last_activity_ = clock_.now();
  }
}

Awaitable<void> Tunnel::watchdog() {
  const auto self = shared_from_this();  // the timer and the flags outlive run() until this ends
  while (!finished_) {
    const auto now = clock_.now();
    const auto close_at = policy::tunnel_close_at({last_activity_, idle_timeout_, drain_close_at_});
    if (now >= close_at) {
      shut_both();
      co_return;
    }
    timer_.expires_after(close_at - now);
    co_await timer_.async_wait(use_tuple);  // expired, or cancelled by drain() or the end
  }
}

Awaitable<void> Tunnel::run() {
  using namespace asio::experimental::awaitable_operators;
  const auto self = shared_from_this();
  asio::co_spawn(co_await asio::this_coro::executor, watchdog(), asio::detached);
  auto& upstream = established_.upstream->stream();
  co_await (relay(client_, upstream, client_pending_, bytes_up_) &&
            relay(upstream, client_, established_.upstream->buffer(), bytes_down_));
  finished_ = true;
  timer_.cancel();
  beast::error_code ignored;
  upstream.socket().shutdown(Socket::shutdown_send, ignored);
  upstream.socket().close(ignored);
}

}  // namespace levee::http
