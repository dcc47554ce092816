#pragma once
// One request/response exchange with the service over a pooled connection.
//
// Bodies stream both ways through a fixed buffer (Beast's buffer_body relay), so a 100 MiB
// upload or download costs one buffer of memory; chunked framing is decoded on one side and
// re-encoded on the other. A pooled connection found dead while the request is written (and
// before any client body byte was consumed) is swapped for a fresh one: the service never saw
// the request. One that dies while levee waits for the answer may have delivered it, so the
// request goes again only when AttemptOptions::safe_to_resend says it may run twice.
// levee's own, budgeted retries live one level up (retrying_forwarder.h); AttemptOptions are
// the hooks they need from one exchange.

#include "proxy/http/header_hygiene.h"
#include "proxy/http/upstream_pool.h"
#include "proxy/policy/clock.h"

#include <boost/asio/awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/parser.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace levee::http {

using RequestParser = boost::beast::http::request_parser<boost::beast::http::buffer_body>;

// The client side of one exchange; owned by the session.
struct Downstream {
  boost::beast::tcp_stream& stream;
  boost::beast::flat_buffer& buffer;
  std::chrono::nanoseconds io_timeout;  // inactivity while reading the body / writing the response
  unsigned version = 11;                // the client's HTTP version
  bool keep_alive = true;               // client wants (and levee allows) another request after
  // Read when the response header is written: a drain that began while the request was in
  // flight still tells this client to reconnect elsewhere.
  const std::atomic<bool>* draining = nullptr;
};

enum class ExchangeError {
  none,
  pool_exhausted,      // 503: upstream connection cap reached
  connect_refused,     // 502
  connect_timeout,     // 504
  upstream_reset,      // 502: closed or reset before a complete response header
  upstream_timeout,    // 504: no response header within response_timeout
  upstream_protocol,   // 502: not parseable as HTTP
  request_too_large,   // 413: a chunked body grew past listener.max_body_bytes
  client_gone,         // the client closed or stalled; nothing more can be sent
};

inline constexpr std::size_t exchange_error_count = 9;

std::string_view name(ExchangeError error);

struct ExchangeResult {
  ExchangeError error = ExchangeError::none;
  unsigned status = 0;             // status sent to the client, 0 when none was
  bool response_started = false;   // bytes went to the client: a local reply is impossible now
  bool keep_alive = false;         // the client connection can carry another request
  std::uint64_t request_body_bytes = 0;
  std::uint64_t response_body_bytes = 0;
  // The response header was read and AttemptOptions::discard asked to drop it: nothing went to
  // the client and the upstream connection was closed (its body never read). `status` holds it.
  bool discarded = false;
  // Part of a response arrived before the exchange failed: not a clean reset, never retried.
  bool response_bytes_seen = false;
};

// What a retrying caller changes about one exchange. The defaults are a plain exchange.
struct AttemptOptions {
  // The request body, read into memory beforehand so that every attempt can send it; the
  // parser is done then. Null: the body (if any) is relayed from the client as it arrives.
  const std::string* buffered_body = nullptr;
  // Headers are rewritten for the service once per request: a retry must not append another
  // X-Forwarded-For / Via.
  bool prepare_request = true;
  // Wait for the response header (per-try timeout); none: the upstream's response_timeout.
  std::optional<std::chrono::nanoseconds> header_timeout;
  // Sees the response header before anything is sent to the client; true discards it.
  std::function<bool(const ResponseHeader&)> discard;
  // The request may reach the service twice (an idempotent method or an idempotency key): a
  // reused connection closed before any response byte is then tried once more on a fresh one.
  bool safe_to_resend = false;
};

boost::asio::awaitable<ExchangeResult> forward(Downstream& downstream, RequestParser& request,
                                               UpstreamPool& pool, const ForwardingFacts& facts,
                                               const policy::Clock& clock, const AttemptOptions& options = {});

}  // namespace levee::http
