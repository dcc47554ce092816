#pragma once
// The upgrade handshake with the service (WebSocket and other HTTP/1.1 `Upgrade`s a route
// allows): one attempt, never retried, on a fresh connection that is never pooled. The
// request goes with its Upgrade (the protocols policy::allowed_upgrade let through) and
// `Connection: Upgrade`, which header hygiene otherwise strips.
//
// - 101 Switching Protocols: the answer for the client (hop-by-hop headers stripped, Upgrade
//   and Connection set again) is left in `forwarded.buffered`, to be written once the
//   admission permit is released, and the connection is returned: it becomes the tunnel.
// - any other answer: relayed like any response (relay_response), the connection closed after.

#include "proxy/http/retrying_forwarder.h"
#include "proxy/http/upstream_exchange.h"
#include "proxy/http/worker_executor.h"

#include <boost/asio/awaitable.hpp>

#include <memory>
#include <string_view>

namespace levee::http {

// `protocols`: the request's Upgrade value, already checked against the route. `forwarded` is
// filled in as forward() fills it. Returns the connection when the service answered 101: the
// tunnel's upstream side.
Awaitable<std::unique_ptr<UpstreamConnection>> forward_upgrade(
    Downstream& downstream, RequestParser& request, std::string_view protocols, UpstreamPool& pool,
    const policy::Clock& clock, std::uint64_t response_buffer_limit, ForwardResult& forwarded);

}  // namespace levee::http
