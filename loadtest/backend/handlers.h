#pragma once
// The backend's endpoints. One free function routes a request whose header has been read; the
// session only reads headers and loops. Handlers never log: a per-request log line would make the
// backend's own I/O part of what the load test measures.
//
//   GET /              200 at once, no worker
//   /work              one service time on a worker (or --fail-status, at once, --fail-ratio of them;
//                      or a reset connection and no answer, --reset-ratio of them)
//   /echo              {"bytes":N,"fnv1a":"hex"} of the request body, streamed
//   /bytes?n=N&chunked=0|1   N bytes 'a'..'z' repeating, streamed
//   /headers           the request line and header fields as text/plain
//   /status?code=N     that status (Retry-After: 1 on 429 and 503)
//   /slow?ms=N         200 after N ms on a timer, no worker
//   /close             closes the connection without an answer
//   /echo-upgrade      101 and a byte echo (echo_upgrade.h)
//   /stats             counters as JSON
//   anything else      404

#include <boost/asio/awaitable.hpp>

#include "backend/exchange.h"

namespace levee::load {

asio::awaitable<After> handle_request(Exchange& ex);

}  // namespace levee::load
