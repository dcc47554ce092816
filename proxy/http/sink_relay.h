#pragma once
// The response half of an exchange whose client is a ResponseSink (an HTTP/2 stream) rather
// than an HTTP/1.1 connection: the header goes to the sink, then the body as it arrives from
// the service, one relay buffer at a time. The sink's flow control paces the reads, so a slow
// client holds one buffer here and a bounded queue in its connection, never the whole body.

#include "proxy/http/maybe_tls_stream.h"
#include "proxy/http/response_sink.h"
#include "proxy/http/upstream_exchange.h"
#include "proxy/http/worker_executor.h"

#include <boost/asio/awaitable.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>

#include <chrono>
#include <cstdint>
#include <span>

namespace levee::http {

struct SinkRelayResult {
  boost::beast::error_code upstream_error;  // reading the service failed (mid-body)
  bool client_gone = false;                 // the sink refused: its client left
};

// `parser` holds the response header, read from `upstream`; `bytes` counts the body relayed.
Awaitable<SinkRelayResult> relay_to_sink(MaybeTlsStream& upstream, boost::beast::flat_buffer& upstream_buffer,
                                         ResponseParser& parser, ResponseSink& sink, std::span<char> buffer,
                                         std::chrono::nanoseconds read_timeout, std::uint64_t& bytes);

}  // namespace levee::http
