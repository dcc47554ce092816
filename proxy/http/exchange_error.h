#pragma once
// How an exchange with the service ended, as data: the one enum the session maps to a local
// reply (request_pipeline.cpp), the retry layer to a RetryOn kind, and the metrics to the
// levee_errors_total{kind} label (name() is that label).

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace levee::http {

enum class ExchangeError : std::uint8_t {
  none,
  pool_exhausted,      // 503: upstream connection cap reached
  connect_refused,     // 502
  connect_timeout,     // 504
  upstream_reset,      // 502: closed or reset before a complete response header
  upstream_timeout,    // 504: no response header within response_timeout
  upstream_protocol,   // 502: not parseable as HTTP
  request_too_large,   // 413: a chunked body grew past listener.max_body_bytes
  client_gone,         // the client closed or stalled; nothing more can be sent
  client_too_slow,     // 408 (upload) or close: a streamed body fell below
                       // listener.min_transfer_rate or past listener.max_transfer_time
  upstream_tls,        // 502: the TLS handshake with the service failed (upstreams[].tls)
};

inline constexpr std::array all_exchange_errors{
    ExchangeError::none,           ExchangeError::pool_exhausted,   ExchangeError::connect_refused,
    ExchangeError::connect_timeout, ExchangeError::upstream_reset,  ExchangeError::upstream_timeout,
    ExchangeError::upstream_protocol, ExchangeError::request_too_large, ExchangeError::client_gone,
    ExchangeError::client_too_slow, ExchangeError::upstream_tls,
};

constexpr std::string_view name(ExchangeError error) {
  switch (error) {
    case ExchangeError::none: return "none";
    case ExchangeError::pool_exhausted: return "pool_exhausted";
    case ExchangeError::connect_refused: return "connect_refused";
    case ExchangeError::connect_timeout: return "connect_timeout";
    case ExchangeError::upstream_reset: return "upstream_reset";
    case ExchangeError::upstream_timeout: return "upstream_timeout";
    case ExchangeError::upstream_protocol: return "upstream_protocol";
    case ExchangeError::request_too_large: return "request_too_large";
    case ExchangeError::client_gone: return "client_gone";
    case ExchangeError::client_too_slow: return "client_too_slow";
    case ExchangeError::upstream_tls: return "upstream_tls";
  }
  return "unknown";
}

struct ExchangeResult {
  ExchangeError error = ExchangeError::none;
  unsigned status = 0;             // status sent to the client, 0 when none was
  bool response_started = false;   // bytes went to the client: a local reply is impossible now
  bool keep_alive = false;         // the client connection can carry another request
  std::uint64_t request_body_bytes = 0;
  std::uint64_t response_body_bytes = 0;
  // Part of a response arrived before the exchange failed: not a clean reset, never retried.
  bool response_bytes_seen = false;
  // The client left while its request was at the service, and the exchange was aborted (its
  // upstream connection closed): error is client_gone.
  bool abandoned = false;
  // A gRPC answer's grpc-status (from its trailers, or a trailers-only head), when the
  // response came over HTTP/2 (h2_forwarder.h): the limit reads overload from it.
  std::optional<unsigned> grpc_status;
};

}  // namespace levee::http
