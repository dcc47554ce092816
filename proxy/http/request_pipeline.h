#pragma once
// The way of one request through levee, top to bottom (request_pipeline.cpp reads the same):
//
//   check     framing, version, target (header_hygiene): 400 and close on anything ambiguous;
//             the path is normalised, so what is routed is what is forwarded
//   route     host + path -> Route: 404 when none matches
//   trust     what the sender may claim (client_trust): a priority raise only when trusted,
//             the shared secret stripped, forwarding headers believed only from trusted proxies
//   buffer    a small request body is read whole first: a slow upload holds no permit
//   classify  priority, client retry, deadline (request_class)
//   admit     the route's admission gate: a permit, or a shed answer at once (shed_reply)
//   upgrade   an Upgrade the route allows (WebSocket) takes a tunnel place first (503 past
//             tunnels.max), is admitted like any request, and goes once, on a fresh
//             connection (upgrade_exchange); on 101 the permit is released as `ignored` and
//             the session relays the tunnel (tunnel.h)
//   forward   to the service with the route's retries (retrying_forwarder), the permit held
//   release   the permit, with what the exchange says about the service: an answer its caller
//             did not wait for (it left, or the deadline passed) is abandoned, not goodput
//   answer    a small response (read whole) is written only now, so a slow reader holds no
//             permit either; a large one was streamed; a failure before any byte went out
//             becomes a local reply
//
// The session reads the request header before and writes the local reply after. Here only
// the exchange itself touches the client connection (the body on its way to the service, the
// response on its way back), so every decision about a request is in this one place.

#include "proxy/http/downstream.h"
#include "proxy/http/local_reply.h"
#include "proxy/http/proxy_state.h"
#include "proxy/http/request_record.h"
#include "proxy/http/tunnel.h"
#include "proxy/http/worker_executor.h"
#include "proxy/policy/ip_address.h"

#include <boost/asio/awaitable.hpp>

#include <optional>
#include <string_view>

namespace levee::http {

// What the request path reads about the process and the connection it runs on.
struct RequestContext {
  const ProxyRuntime& runtime;  // the config the request started under, held to its end
  ProxyShared& shared;
  Worker& worker;
  std::string_view client_address;
  const std::optional<policy::IpAddress>& peer;  // client_address parsed; none: trusted for nothing
  std::string_view scheme = "http";               // how the client reached levee: "http" or "https"
};

struct HandledRequest {
  // A local answer the session still has to write; none: the response was relayed, or the
  // client is gone and nothing can be written.
  std::optional<LocalReply> reply;
  bool keep_alive = false;  // without a reply: the connection can carry another request
  const observability::RouteMetrics* metrics = nullptr;  // the route's, or the unrouted series
  RequestRecord record;
  // The service answered 101 and the client has it: the session relays the tunnel, then closes.
  std::optional<EstablishedTunnel> tunnel;
};

// `handled` starts default-constructed and is filled in here. It is the caller's, not a return
// value: the coroutine's frame then holds a reference where a result would take a second copy
// (Asio keeps a coroutine's result in its frame until it is read).
Awaitable<void> handle_request(const RequestContext& context, Downstream& downstream,
                               RequestParser& parser, policy::TimePoint started,
                               HandledRequest& handled);

}  // namespace levee::http
