#include "proxy/http/upstream_exchange.h"

#include "proxy/http/client_watch.h"
#include "proxy/http/framed_relay.h"
#include "proxy/http/head_serializer.h"
#include "proxy/http/header_hygiene.h"
#include "proxy/http/sink_relay.h"
#include "proxy/http/sized_relay.h"
#include "proxy/http/transfer_watch.h"
#include "proxy/http/whole_body.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>

#include <array>
#include <memory>
#include <span>
#include <tuple>

namespace levee::http {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bh = boost::beast::http;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::deferred);
// One relay step moves at most this much: large enough that a 64 KiB body takes a few reads
// and writes, small enough to live on the coroutine frame of every request in flight.
constexpr std::size_t relay_buffer_size = 32 * 1024;
constexpr std::size_t response_header_limit = 64 * 1024;
// Interim (1xx) responses skipped before the final one; more is a broken or hostile service.
constexpr unsigned max_interim_responses = 8;
using RelayBuffer = std::array<char, relay_buffer_size>;

// A relay buffer for a body that streams, none for a message without one. Left uninitialised
// (no 32 KiB memset per request) and on the heap, not in a coroutine frame that every request,
// buffered or not, would allocate.
std::unique_ptr<RelayBuffer> relay_buffer_for(bool has_body) {
  return has_body ? std::unique_ptr<RelayBuffer>(new RelayBuffer) : nullptr;
}

std::span<char> span_of(const std::unique_ptr<RelayBuffer>& buffer) {
  return buffer ? std::span<char>(*buffer) : std::span<char>();
}

bool is_interim(const ResponseParser& parser) {
  const unsigned status = parser.get().result_int();
  return status >= 100 && status < 200 && status != 101;
}

ExchangeError classify_upstream_read_error(const beast::error_code& ec) {
  if (ec == beast::error::timeout) return ExchangeError::upstream_timeout;
  static const auto& http_category = bh::make_error_code(bh::error::end_of_stream).category();
  if (ec.category() == http_category && ec != bh::error::end_of_stream && ec != bh::error::partial_message)
    return ExchangeError::upstream_protocol;
  return ExchangeError::upstream_reset;
}

bool closed_before_answer(const beast::error_code& ec) {
  return ec == bh::error::end_of_stream || ec == asio::error::connection_reset || ec == asio::error::eof;
}

}  // namespace

Awaitable<void> send_request(Downstream& down, RequestParser& request_parser, UpstreamPool& pool,
                             const policy::Clock& clock, const SendOptions& options, UpstreamAttempt& attempt) {
  ExchangeResult& result = attempt.result;
  result = {};
  attempt.abandon();
  auto& request = request_parser.get();
  const bool head_request = request.method() == bh::verb::head;
  const auto& upstream_config = pool.config();
  const auto header_timeout = options.header_timeout.value_or(upstream_config.response_timeout);

  bool fresh_only = options.fresh_connection;
  for (;;) {
    // A pooled connection without a coroutine; a connect only when none is.
    const auto now = clock.now();
    attempt.connection = fresh_only ? nullptr : pool.reuse_idle(now);
    if (!attempt.connection) {
      auto acquired = co_await pool.acquire(now, /*fresh_only=*/true);
      if (!acquired.connection) {
        result.error = exchange_error_of(acquired.error);
        co_return;
      }
      attempt.connection = std::move(acquired.connection);
    }
    UpstreamConnection& connection = *attempt.connection;
    auto& upstream = connection.stream();

    // The client is told to send its body only once the service is reachable.
    if (!request_parser.is_done() && !co_await send_continue_once(down)) {
      result.error = ExchangeError::client_gone;
      co_return;
    }

    beast::error_code relay_ec;
    bool input_failed = false;
    if (options.buffered_body || (request_parser.is_done() && !request_parser.chunked())) {
      const std::string_view body = options.buffered_body ? std::string_view(*options.buffered_body) : std::string_view();
      // Header and body in one write: one buffer when the body is small, else a gather write.
      std::string& head = down.head_buffer;
      serialize_head(request, options.added ? options.added->fields() : std::span<const AddedField>(), head);
      const auto timeout = upstream_config.response_timeout;
      if (append_small_body(head, body)) {
        std::tie(relay_ec, std::ignore) = co_await write_whole(upstream, asio::buffer(head), timeout);
      } else {
        const std::array<asio::const_buffer, 2> message{asio::buffer(head), asio::buffer(body)};
        std::tie(relay_ec, std::ignore) = co_await write_whole(upstream, message, timeout);
      }
      result.request_body_bytes = body.size();
    } else {
      const auto buffer = relay_buffer_for(!request_parser.is_done());
      if (options.added) options.added->insert_into(request);
      // The body streams with the permit held: the client must keep up the listener's pace.
      std::optional<TransferWatch> pace;
      if (!request_parser.is_done() && down.transfer_rate.enabled())
        pace.emplace(down.stream.socket(), clock, down.transfer_rate);
      std::tie(relay_ec, input_failed) = co_await relay_body(
          down.stream, down.buffer, request_parser, upstream, span_of(buffer), down.io_timeout,
          upstream_config.response_timeout, result.request_body_bytes,
          PacedClient{pace ? &*pace : nullptr, true});
      if (pace && pace->verdict() != policy::TransferVerdict::ok) {
        // Nothing was answered yet: the client can be told 408. The service got part of a
        // body: its connection is closed, never pooled.
        result.error = ExchangeError::client_too_slow;
        attempt.abandon();
        co_return;
      }
    }
    // A body held in memory can be sent again; one relayed from the client cannot.
    const bool nothing_consumed = options.buffered_body || result.request_body_bytes == 0;
    if (relay_ec) {
      if (input_failed) {
        result.error = relay_ec == bh::error::body_limit ? ExchangeError::request_too_large
                                                         : ExchangeError::client_gone;
        co_return;
      }
      if (connection.reused() && nothing_consumed && !fresh_only) {
        fresh_only = true;  // the pooled connection was dead; the service never saw the request
        continue;
      }
      result.error = classify_upstream_read_error(relay_ec);
      co_return;
    }

    // The response header, skipping interim (1xx) responses the service may send. Meanwhile
    // the client is watched (once its request is wholly read: until then its bytes are the
    // body): if it leaves, the exchange is aborted rather than finished for nobody.
    const bool watch_client = upstream_config.abort_on_client_close && request_parser.is_done() &&
                              down.buffer.size() == 0;
    ClientWatch watch(watch_client ? down.client_watches : nullptr, down.stream.socket().native_handle(), upstream,
                      watch_client ? down.gone : nullptr);
    // One deadline covers the interim responses too, and their number is bounded: a service
    // sending 102 Processing forever must not hold the exchange (and its permit) forever.
    beast::error_code read_ec;
    upstream.expires_after(header_timeout);
    for (unsigned interim = 0;; ++interim) {
      if (interim > max_interim_responses) {
        read_ec = bh::error::bad_status;
        break;
      }
      attempt.response.emplace(std::piecewise_construct, std::make_tuple(),
                               std::make_tuple(FieldAllocator<char>(down.fields)));
      attempt.response->header_limit(response_header_limit);
      attempt.response->body_limit(boost::none);
      if (head_request) attempt.response->skip(true);
      auto [ec, n] = co_await bh::async_read_header(upstream, connection.buffer(), *attempt.response, use_tuple);
      read_ec = ec;
      if (read_ec || !is_interim(*attempt.response)) break;
    }
    if (!read_ec) co_return;
    if (watch.client_gone()) {
      result.error = ExchangeError::client_gone;
      result.abandoned = true;
      attempt.abandon();
      co_return;
    }
    // Most likely the service closed an idle connection as the request went out, but it may
    // have received it: only a request safe to run twice goes again.
    if (closed_before_answer(read_ec) && options.safe_to_resend && connection.reused() && nothing_consumed &&
        !fresh_only) {
      fresh_only = true;
      continue;
    }
    // Beast consumes nothing of an incomplete header, so leftover bytes mean a partial answer.
    result.response_bytes_seen = connection.buffer().size() > 0;
    result.error = classify_upstream_read_error(read_ec);
    attempt.abandon();
    co_return;
  }
}

Awaitable<void> relay_response(Downstream& down, RequestParser& request_parser, UpstreamPool& pool,
                               const policy::Clock& clock, std::uint64_t buffer_limit, UpstreamAttempt& attempt) {
  ExchangeResult& result = attempt.result;
  ResponseParser& parser = *attempt.response;
  auto& response = parser.get();
  const bool upstream_keep_alive = parser.keep_alive();
  prepare_downstream_response(response);
  response.version(11);
  const unsigned status = response.result_int();
  const bool head_request = request_parser.get().method() == bh::verb::head;
  const bool has_body = !head_request && status != 204 && status != 304;
  bool keep_alive = down.keep_alive && !(down.draining && down.draining->load(std::memory_order_relaxed));
  if (has_body && !parser.chunked() && !parser.content_length()) {
    // Close-delimited body from the service: re-frame it as chunked for HTTP/1.1 clients; an
    // HTTP/1.0 client can only learn where it ends from the connection closing.
    if (down.version == 11) response.chunked(true); else keep_alive = false;
  } else if (parser.chunked() && down.version == 10) {
    response.chunked(false);
    keep_alive = false;
  }
  if (down.version == 10 && keep_alive)
    response.set(bh::field::connection, "keep-alive");
  else
    response.keep_alive(keep_alive);

  result.status = status;

  // A known length is never re-framed (only a close-delimited body is made chunked), so the
  // parser's framing is the response's; asking the message would be a field lookup.
  const bool sized = !parser.chunked() && parser.content_length().has_value();
  const bool fits = !has_body || (sized && *parser.content_length() <= buffer_limit);
  if (fits) {
    std::string body = down.body_buffer ? std::move(*down.body_buffer) : std::string();
    if (has_body) {
      const std::size_t have = take_buffered_body(attempt.connection->buffer(), body, *parser.content_length());
      beast::error_code ec;
      if (have < body.size())
        ec = co_await read_body_rest(attempt.connection->stream(), body, have, pool.config().response_timeout);
      result.response_body_bytes = body.size();
      if (ec) {
        // Nothing went to the client yet: it can still get a clean 502/504.
        result.error = classify_upstream_read_error(ec);
        attempt.abandon();
        co_return;
      }
    } else {
      body.clear();  // the lent buffer still holds the last answer
    }
    pool.release(std::move(attempt.connection), upstream_keep_alive && request_parser.is_done(), clock.now());
    attempt.buffered.emplace(std::move(response.base()));
    attempt.buffered->body() = std::move(body);
    attempt.response.reset();
    result.keep_alive = keep_alive;
    co_return;
  }

  result.response_started = true;
  const auto buffer = relay_buffer_for(!parser.is_done());
  // The body is all relayed: the connection goes back to the pool when both sides allow it.
  const auto finish = [&] {
    pool.release(std::move(attempt.connection), upstream_keep_alive && request_parser.is_done(), clock.now());
    attempt.response.reset();
    result.keep_alive = keep_alive;
  };
  if (down.sink) {
    const SinkRelayResult relayed =
        co_await relay_to_sink(attempt.connection->stream(), attempt.connection->buffer(), parser, *down.sink,
                               span_of(buffer), pool.config().response_timeout, result.response_body_bytes);
    if (relayed.client_gone || relayed.upstream_error) {
      result.error = relayed.client_gone ? ExchangeError::client_gone : classify_upstream_read_error(relayed.upstream_error);
      attempt.abandon();
      co_return;
    }
    finish();
    co_return;
  }
  // The body streams with the permit held: the client must keep up the listener's pace.
  std::optional<TransferWatch> pace;
  if (down.transfer_rate.enabled()) pace.emplace(down.stream.socket(), clock, down.transfer_rate);
  if (sized) {
    std::string& head = down.head_buffer;
    serialize_head(response.base(), head);
    UpstreamConnection& connection = *attempt.connection;
    const SizedRelayResult relayed = co_await relay_sized_body(
        connection.stream(), connection.buffer(), down.stream, head, *parser.content_length(), span_of(buffer),
        pool.config().response_timeout, down.io_timeout, result.response_body_bytes, pace ? &*pace : nullptr);
    if (relayed.watch_failed) {
      result.error = ExchangeError::client_too_slow;
      attempt.abandon();
      co_return;
    }
    if (relayed.error) {
      result.error = relayed.input_failed ? classify_upstream_read_error(relayed.error) : ExchangeError::client_gone;
      attempt.abandon();
      co_return;
    }
    finish();
    co_return;
  }
  auto [relay_ec, input_failed] =
      co_await relay_body(attempt.connection->stream(), attempt.connection->buffer(), parser, down.stream,
                          span_of(buffer), pool.config().response_timeout, down.io_timeout,
                          result.response_body_bytes, PacedClient{pace ? &*pace : nullptr, false});
  if (pace && pace->verdict() != policy::TransferVerdict::ok) {
    // Mid-body: both connections close; the client learns it from its connection closing.
    result.error = ExchangeError::client_too_slow;
    attempt.abandon();
    co_return;
  }
  if (relay_ec) {
    // Mid-body: the client can only be told by closing its connection.
    result.error = input_failed ? classify_upstream_read_error(relay_ec) : ExchangeError::client_gone;
    attempt.abandon();
    co_return;
  }
  finish();
}

Awaitable<void> write_buffered_response(Downstream& down, BufferedResponse& response, ExchangeResult& result) {
  result.response_started = true;
  if (down.sink) {
    const bool empty = response.body().empty();
    bool written = co_await down.sink->write_head(response.base(), empty);
    if (written && !empty) written = co_await down.sink->write_body(response.body(), true);
    if (!written) result.error = ExchangeError::client_gone;
    co_return;
  }
  std::string& head = down.head_buffer;
  serialize_head(response.base(), head);
  // A small body goes in the head's buffer (append_small_body), leaving the second buffer empty:
  // one buffer, one send(). What the client's socket takes at once goes without an asynchronous
  // operation (write_now), and a connection that closes next makes no trip round the worker's
  // queue at all.
  const bool body_in_head = append_small_body(head, response.body());
  const std::array<asio::const_buffer, 2> message{
      asio::buffer(head), body_in_head ? asio::const_buffer() : asio::buffer(response.body())};
  auto sent = write_now(down.stream, message);
  beast::error_code ec = sent.error;
  if (!sent.done()) std::tie(ec, std::ignore) = co_await write_whole(down.stream, sent.rest, down.io_timeout);
  else if (!ec && result.keep_alive) co_await yield_before_reply(down.stream);  // the next request
  // Lent by relay_response: back to the connection for the next answer, its size kept, so an
  // answer no larger than this one is read into it without zeroing it first.
  if (down.body_buffer) *down.body_buffer = std::move(response.body());
  if (ec) {
    result.error = ExchangeError::client_gone;
    result.keep_alive = false;
  }
}

}  // namespace levee::http
