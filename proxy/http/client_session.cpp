#include "proxy/http/client_session.h"

#include <algorithm>
#include <limits>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/read_size.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <spdlog/spdlog.h>

#include "proxy/http/peer_address.h"
#include "proxy/http/request_head.h"
#include "proxy/http/request_pipeline.h"
#include "proxy/http/tls_context.h"
#include "proxy/http/tls_handshake_result.h"
#include "proxy/observability/tls_metrics.h"
#include "proxy/policy/tunnel_rules.h"

namespace levee::http {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bh = boost::beast::http;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::deferred);
// The most one read adds to the client buffer (Beast's own choice for its read operations).
constexpr std::size_t read_chunk = 65536;
// How long a closing TLS session waits for the client's close_notify after sending its own
// (the wait only keeps the session; the client already has levee's close_notify).
constexpr std::chrono::seconds close_notify_wait{1};

LocalReply reply_for_parse_error(const beast::error_code& ec) {
  if (ec == bh::error::header_limit)
    return make_error_reply(bh::status::request_header_fields_too_large, "request header too large", true);
  if (ec == bh::error::body_limit)
    return make_error_reply(bh::status::payload_too_large, "request body too large", true);
  return make_error_reply(bh::status::bad_request, "malformed request", true);
}

// Reads on until `parser` has the whole request header, at most `budget.limit` bytes in all
// (parse_request_header keeps the budget). Called only once what the buffer held was not
// enough: a keep-alive request is nearly always whole in the buffer the wait read into, and
// is parsed without this coroutine.
Awaitable<beast::error_code> read_rest_of_header(MaybeTlsStream& stream, beast::flat_buffer& buffer,
                                                 RequestParser& parser, HeaderBudget& budget) {
  for (;;) {
    const std::size_t room = beast::read_size(buffer, read_chunk);
    if (room == 0) co_return bh::error::header_limit;  // the buffer is at its max_size
    auto [read_ec, n] = co_await stream.async_read_some(buffer.prepare(room), use_tuple);
    if (read_ec == asio::error::eof) {
      if (!parser.got_some()) co_return bh::error::end_of_stream;
      beast::error_code eof_ec;
      parser.put_eof(eof_ec);  // partial_message: the header was cut off
      co_return eof_ec;
    }
    if (read_ec) co_return read_ec;
    buffer.commit(n);
    const beast::error_code ec = parse_request_header(parser, buffer, budget);
    if (ec != bh::error::need_more) co_return ec;  // done, over the budget, or a parse error
  }
}

policy::TransferRateSettings transfer_rate_of(const config::ListenerConfig& listener) {
  return {.min_bytes_per_second = listener.min_transfer_rate,
          .window = listener.transfer_rate_window,
          .grace = listener.transfer_rate_grace,
          .max_duration = listener.max_transfer_time};
}

bool is_disconnect(const beast::error_code& ec) {
  return ec == bh::error::end_of_stream || ec == asio::error::eof || ec == asio::error::connection_reset ||
         ec == asio::error::operation_aborted || ec == asio::error::broken_pipe || ec == beast::error::timeout;
}

}  // namespace

ClientSession::ClientSession(Socket socket, Worker& worker, ProxyShared& shared, ConnectionSlot slot,
                             Start start, const std::optional<asio::ip::tcp::endpoint>& peer)
    : stream_(std::move(socket)),
      header_timer_(worker.context),
      worker_(worker),
      shared_(shared),
      connected_at_(shared.clock.now()),
      slot_(std::move(slot)),
      resumed_(start == Start::resumed_readable) {
  beast::error_code ec;
  const auto endpoint = peer ? *peer : stream_.socket().remote_endpoint(ec);
  if (ec) {
    client_address_ = "unknown";
  } else {
    peer_ = peer_address(endpoint);
    client_address_ = peer_->to_string();
  }
  // TCP_NODELAY came from the listening socket (listener.cpp).
  worker_.sessions.insert(this);
}

ClientSession::~ClientSession() { worker_.sessions.erase(this); }

void ClientSession::drain() {
  if (h2_) {
    h2_->drain();
    return;
  }
  if (tunnel_) {
    const auto& config = *shared_.runtime(worker_)->config;
    tunnel_->drain(policy::drain_close_at(shared_.clock.now(), config.tunnels.drain_grace,
                                          config.server.drain_timeout));
    return;
  }
  if (!idle_) return;
  // Called in a loop over every session of the worker: one socket already closed by its
  // peer must not stop the others from draining (the throwing overload did).
  beast::error_code ignored;
  stream_.socket().cancel(ignored);
}

Awaitable<void> ClientSession::run() {
  auto self = shared_from_this();
  try {
    // A resumed connection was parked after a keep-alive response: plain, past its first request.
    if (!resumed_ && shared_.runtime(worker_)->tls && !co_await start_tls()) {
      close_socket();
      co_return;
    }
    const bool alpn_h2 = negotiated_h2();
    bool first = !resumed_;
    for (;;) {
      // The listener section needs a restart to change, so any runtime has the right timeouts.
      const auto timeout = [&] {
        const auto& listener = shared_.runtime(worker_)->config->listener;
        return first ? listener.header_timeout : listener.idle_timeout;
      }();
      // While draining, a connection that already had its answer closes; a new one (accepted
      // during drain_delay, before the load balancer noticed) still gets its first request served.
      if (!first && shared_.draining.load(std::memory_order_relaxed)) break;
      may_park_ = !first && !stream_.is_tls();  // a keep-alive wait (not the first request's)
      Waited waited = Waited::request;
      if (start_wait(timeout)) {
        // The wait is a read, for TLS and plain alike (start_wait says why).
        beast::error_code ec;
        std::size_t n = 0;
        if (stream_.is_tls())
          std::tie(ec, n) = co_await stream_.async_read_some(buffer_.prepare(first_read_size), use_tuple);
        else
          std::tie(ec, n) = co_await stream_.socket().async_read_some(buffer_.prepare(first_read_size), use_tuple);
        waited = end_wait(ec, n);
      }
      if (waited == Waited::park) {
        park();
        co_return;
      }
      if (waited == Waited::closed) break;
      // The first header's header_timeout runs from accept, not from its first byte: the wait
      // for that byte already used it, and a client that sent one byte just before it ran out
      // got a second header_timeout for the rest. Later requests wait idle_timeout for their
      // first byte, so their header gets all of its own.
      const auto header_timeout = [&]() -> std::chrono::nanoseconds {
        const auto full = shared_.runtime(worker_)->config->listener.header_timeout;
        if (!first) return full;
        return std::max<std::chrono::nanoseconds>(full - (shared_.clock.now() - connected_at_),
                                                  std::chrono::nanoseconds::zero());
      }();
      if (first) {
        const auto runtime = shared_.runtime(worker_);
        const auto& listener = runtime->config->listener;
        const auto preface = h2_preface(listener, alpn_h2);
        if (preface == H2Preface::present ||
            (preface == H2Preface::partial && co_await read_h2_preface(listener))) {
          co_await serve_h2(listener);
          break;
        }
      }
      first = false;
      // Read after the wait, so a request on a long-idle connection sees the latest reload; the
      // copy keeps that config alive for the whole request.
      const auto runtime = shared_.runtime(worker_);
      if (co_await serve_one(*runtime, header_timeout) == Next::close) break;
    }
  } catch (const std::exception& e) {
    spdlog::warn("client session {}: {}", client_address_, e.what());
  }
  if (tls_established_) co_await send_close_notify();
  close_socket();
}

Awaitable<bool> ClientSession::start_tls() {
  // The listener section (TLS on or off) needs a restart to change; the context itself is the
  // one of the runtime running now, and stays this connection's. Called only when it has one:
  // a plain connection makes no coroutine for this.
  const auto runtime = shared_.runtime(worker_);
  stream_.use_tls(runtime->tls);
  stream_.expires_after(runtime->config->listener.tls.handshake_timeout);
  auto [ec] = co_await stream_.tls()->async_handshake(asio::ssl::stream_base::server, use_tuple);
  const TlsHandshakeResult result = classify_handshake(ec);
  if (shared_.tls_metrics) shared_.tls_metrics->count(result);
  if (ec) {
    spdlog::debug("client {}: TLS handshake failed ({}): {}", client_address_, name(result), ec.message());
    co_return false;
  }
  tls_established_ = true;
  // The first header's timeout counts from here: a slow handshake is the handshake timeout's.
  connected_at_ = shared_.clock.now();
  co_return true;
}

Awaitable<void> ClientSession::send_close_notify() {
  stream_.expires_after(close_notify_wait);
  co_await stream_.tls()->async_shutdown(use_tuple);
}

void ClientSession::close_socket() {
  beast::error_code ignored;
  stream_.socket().shutdown(Socket::shutdown_send, ignored);
  stream_.socket().close(ignored);
}

Awaitable<ClientSession::Next> ClientSession::serve_one(const ProxyRuntime& runtime,
                                                        std::chrono::nanoseconds header_timeout) {
  const auto& listener = runtime.config->listener;
  const auto started = shared_.clock.now();
  RequestParser& parser = emplace_parser(parser_, worker_.fields);
  const struct EmptiedAtEnd {
    std::optional<RequestParser>& parser;
    ~EmptiedAtEnd() { parser.reset(); }
  } emptied_at_end{parser_};
  parser.body_limit(listener.max_body_bytes);

  stream_.expires_never();
  const auto header_limit = static_cast<std::uint32_t>(std::min<std::uint64_t>(listener.max_header_bytes, UINT32_MAX));
  // Beast buffers a chunked body's whole trailer section before parsing it, with no limit of its
  // own: without a cap on the buffer, "0\r\n" and then endless trailer lines grow it without
  // bound. The header never needs more than its limit plus one read.
  buffer_.max_size(std::max<std::size_t>(buffer_.size(), std::size_t{header_limit} + read_chunk));
  HeaderBudget budget{header_limit};
  // The header timer is armed again only when the header must be read on: a header that came
  // whole in the read that waited for it (nearly every one) costs no second arming.
  header_timed_out_ = false;
  beast::error_code read_ec = parse_request_header(parser, buffer_, budget);
  if (read_ec == bh::error::need_more) {
    arm_header_timer(header_timeout);
    read_ec = co_await read_rest_of_header(stream_, buffer_, parser, budget);
    disarm_header_timer();
  }
  // One record and reply for every way out: each local of a coroutine takes its own room in the
  // frame, used or not, so the error path below reuses them.
  HandledRequest handled;
  if (read_ec) {
    if (!header_timed_out_ && is_disconnect(read_ec)) co_return Next::close;
    handled.record.started = started;
    handled.reply = header_timed_out_ ? make_error_reply(bh::status::request_timeout, "request header timeout", true)
                                      : reply_for_parse_error(read_ec);
    handled.record.status = static_cast<unsigned>(handled.reply->status);
    finish_request(handled.record, shared_.clock.now(), client_address_, shared_.metrics.unrouted(), worker_.index,
                   nullptr);
    co_return co_await reply(*handled.reply, 11, false, false, listener.body_timeout);
  }

  const auto& request = parser.get();
  const unsigned version = request.version() == 10 ? 10 : 11;
  const bool head = request.method() == bh::verb::head;
  const bool client_keep_alive = parser.keep_alive() && !shared_.draining.load(std::memory_order_relaxed);
  Downstream downstream{stream_, buffer_, head_buffer_, request_body_buffer_, listener.body_timeout, version,
                        client_keep_alive, &shared_.draining};
  downstream.client_watches = &worker_.client_watches;
  downstream.transfer_rate = transfer_rate_of(listener);
  downstream.body_buffer = &body_buffer_;
  downstream.fields = &worker_.fields;
  const RequestContext context{runtime, shared_, worker_, client_address_, peer_,
                               stream_.is_tls() ? "https" : "http"};
  co_await handle_request(context, downstream, parser, started, handled);

  Next next = handled.keep_alive ? Next::keep_alive : Next::close;
  if (handled.reply) next = co_await reply(*handled.reply, version, client_keep_alive, head, listener.body_timeout);
  finish_request(handled.record, shared_.clock.now(), client_address_, *handled.metrics, worker_.index,
                 runtime.access_log.get());
  if (handled.tunnel) {
    co_await relay_tunnel(std::move(*handled.tunnel), *runtime.config);
    next = Next::close;
  }
  co_return next;
}

bool ClientSession::negotiated_h2() {
  if (!tls_established_) return false;
  const unsigned char* protocol = nullptr;
  unsigned int length = 0;
  SSL_get0_alpn_selected(stream_.tls()->native_handle(), &protocol, &length);
  return std::string_view(reinterpret_cast<const char*>(protocol), length) == alpn_h2;
}

std::string_view ClientSession::buffered() const {
  const auto bytes = buffer_.cdata();
  return std::string_view(static_cast<const char*>(bytes.data()), bytes.size());
}

ClientSession::H2Preface ClientSession::h2_preface(const config::ListenerConfig& listener,
                                                   bool tls_negotiated_h2) const {
  if (!listener.http2.enabled) return H2Preface::absent;
  if (stream_.is_tls()) return tls_negotiated_h2 ? H2Preface::present : H2Preface::absent;
  if (!listener.http2.h2c) return H2Preface::absent;
  const auto here = buffered();
  if (here.starts_with(h2::client_preface)) return H2Preface::present;
  return h2::client_preface.starts_with(here) ? H2Preface::partial : H2Preface::absent;
}

Awaitable<bool> ClientSession::read_h2_preface(const config::ListenerConfig& listener) {
  const std::size_t preface_size = h2::client_preface.size();
  // What is left of the first header's timeout bounds the rest of the preface.
  const auto left = listener.header_timeout - (shared_.clock.now() - connected_at_);
  arm_header_timer(std::max<std::chrono::nanoseconds>(left, std::chrono::nanoseconds::zero()));
  while (buffered().size() < preface_size && h2::client_preface.starts_with(buffered())) {
    auto [ec, n] = co_await stream_.async_read_some(buffer_.prepare(preface_size), use_tuple);
    if (ec) break;  // the HTTP/1.1 path then answers what is there (or closes)
    buffer_.commit(n);
  }
  disarm_header_timer();
  co_return buffered().starts_with(h2::client_preface);
}

Awaitable<void> ClientSession::serve_h2(const config::ListenerConfig& listener) {
  const auto bytes = buffer_.cdata();
  const std::string already_read(static_cast<const char*>(bytes.data()), bytes.size());
  buffer_.consume(buffer_.size());
  buffer_.shrink_to_fit();
  h2_ = std::make_shared<H2Session>(stream_, worker_, shared_, client_address_, peer_, listener);
  co_await h2_->run(already_read);
  h2_.reset();
}

Awaitable<void> ClientSession::relay_tunnel(EstablishedTunnel established, const config::Config& config) {
  stream_.expires_never();
  buffer_.max_size(std::numeric_limits<std::size_t>::max());
  tunnel_ = std::make_shared<Tunnel>(stream_, buffer_, std::move(established), shared_.clock,
                                     config.tunnels.idle_timeout);
  // Established while draining (its handshake was in flight when drain() went round): the
  // grace starts now.
  if (shared_.draining.load(std::memory_order_relaxed))
    tunnel_->drain(policy::drain_close_at(shared_.clock.now(), config.tunnels.drain_grace, config.server.drain_timeout));
  co_await tunnel_->run();
  tunnel_.reset();
}

Awaitable<ClientSession::Next> ClientSession::reply(const LocalReply& answer, unsigned version, bool keep_alive,
                                                    bool head, std::chrono::nanoseconds timeout) {
  auto response = to_response(answer, version, keep_alive, head);
  stream_.expires_after(timeout);
  auto [ec, n] = co_await bh::async_write(stream_, response, use_tuple);
  if (ec || answer.close_connection || !keep_alive) co_return Next::close;
  co_return Next::keep_alive;
}

}  // namespace levee::http
