#pragma once
// A request to a service that speaks HTTP/2 (upstreams[].protocol: h2c or h2), gRPC's way: the
// request prepared by prepare_upstream_request goes out as one stream on a pooled connection
// (h2_upstream_pool.h), and the response comes back to the client through a ResponseSink:
// the HTTP/2 stream's own (down.sink), or Http1Sink for an HTTP/1.1 client.
//
// - the request: :method, :path from the target, :authority from Host, the fields minus
//   connection-specific ones (h2::outgoing_request_fields), `te: trailers` for a gRPC call
//   (gRPC servers insist on it; levee's HTTP/1.1 side drops te as hop-by-hop). The body is
//   sent whole: an HTTP/2 client's is held already; an HTTP/1.1 client's is read first, up to
//   `max_request_body` (past it, or chunked: 413; streaming uploads to HTTP/2 services are
//   not built);
// - the response streams: head, then DATA as it arrives, each piece handed back to the
//   connection (consume) only once the sink took it, so the service can make levee hold at
//   most a stream window plus the sink's queue; then the trailers (gRPC's grpc-status);
// - timeouts: the upstream's response_timeout for the head and between body pieces; the
//   connect_timeout for a connection (or a free stream slot);
// - errors are the HTTP/1.1 path's ExchangeError values (a stream reset or a connection lost
//   before the head: upstream_reset; a timeout: upstream_timeout; ...), so reply_for, the
//   metrics and the limit's outcome work unchanged. A client that leaves (an HTTP/2 stream's
//   RST_STREAM) resets the upstream stream at once: abandoned, like abort_on_client_close.
//   An HTTP/1.1 client is not watched while it waits (its leaving shows when its answer is
//   written).
//
// No retries: an h2c route's retry rules are not applied yet (docs/http2.md).

#include "proxy/http/downstream.h"
#include "proxy/http/h2_upstream_pool.h"
#include "proxy/http/retrying_forwarder.h"
#include "proxy/http/worker_executor.h"
#include "proxy/policy/clock.h"

#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <string>

namespace levee::http {

// `forwarded` starts default-constructed and is filled in here (as forward() does).
Awaitable<void> forward_h2(Downstream& downstream, RequestParser& request,
                           const std::string* buffered_body, H2UpstreamPool& pool,
                           const policy::Clock& clock, std::uint64_t max_request_body,
                           ForwardResult& forwarded);

}  // namespace levee::http
