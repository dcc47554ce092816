#include "proxy/http/request_pipeline.h"

#include "proxy/http/client_trust.h"
#include "proxy/http/exchange_outcome.h"
#include "proxy/http/flow_key.h"
#include "proxy/http/h2_forwarder.h"
#include "proxy/http/h2_upstream_pool.h"
#include "proxy/http/header_hygiene.h"
#include "proxy/http/request_head.h"
#include "proxy/http/request_class.h"
#include "proxy/http/request_id.h"
#include "proxy/http/retrying_forwarder.h"
#include "proxy/http/shed_reply.h"
#include "proxy/http/upgrade_exchange.h"
#include "proxy/observability/tunnel_metrics.h"
#include "proxy/policy/ascii.h"
#include "proxy/policy/tunnel_rules.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace levee::http {
namespace bh = boost::beast::http;

namespace {

// The one place where a failed exchange becomes an answer for the client.
LocalReply reply_for(ExchangeError error, bool request_fully_read) {
  const bool close = !request_fully_read;
  switch (error) {
    case ExchangeError::pool_exhausted:
      return make_error_reply(bh::status::service_unavailable, "upstream connection limit reached", close);
    case ExchangeError::connect_refused:
      return make_error_reply(bh::status::bad_gateway, "upstream connect failed", close);
    case ExchangeError::connect_timeout:
      return make_error_reply(bh::status::gateway_timeout, "upstream connect timeout", close);
    case ExchangeError::upstream_reset:
      return make_error_reply(bh::status::bad_gateway, "upstream closed the connection", close);
    case ExchangeError::upstream_timeout:
      return make_error_reply(bh::status::gateway_timeout, "upstream response timeout", close);
    case ExchangeError::upstream_protocol:
      return make_error_reply(bh::status::bad_gateway, "upstream sent an invalid response", close);
    case ExchangeError::request_too_large:
      return make_error_reply(bh::status::payload_too_large, "request body too large", true);
    case ExchangeError::client_too_slow:
      return make_error_reply(bh::status::request_timeout, "request body too slow", true);
    case ExchangeError::upstream_tls:
      return make_error_reply(bh::status::bad_gateway, "upstream TLS handshake failed", close);
    case ExchangeError::none:
    case ExchangeError::client_gone:
      break;
  }
  return make_error_reply(bh::status::internal_server_error, "internal error", true);
}

// The Upgrade the route lets through (policy::allowed_upgrade), or none.
std::optional<std::string> requested_upgrade(const RequestParser& parser, const config::RouteConfig& route) {
  const auto& request = parser.get();
  if (route.upgrades.empty() || request.find(bh::field::upgrade) == request.end()) return std::nullopt;
  std::string connection;
  const auto [first, last] = request.equal_range(bh::field::connection);
  for (auto it = first; it != last; ++it) connection.append(it->value()).append(", ");
  const policy::UpgradeAsk ask{.method = request.method_string(),
                               .version = request.version(),
                               .has_body = !parser.is_done(),
                               .connection = connection,
                               .upgrade = request[bh::field::upgrade]};
  return policy::allowed_upgrade(ask, route.upgrades);
}

void answer(HandledRequest& handled, LocalReply reply) {
  handled.record.status = static_cast<unsigned>(reply.status);
  handled.reply = std::move(reply);
}

// The steps below that do not wait are plain functions, not part of handle_request: each local
// of a coroutine (and each temporary alive across a co_await) takes its own room in the
// coroutine's frame for the whole request, used or not, and a frame over 1,020 bytes is a heap
// allocation Asio does not recycle. `bench/overhead/allocations.sh --sites` names a frame that
// grew past it.

// The request id, before any check, so even a refused request's log line carries one. set()
// replaces every incoming copy, so the service sees exactly the id levee logged. Without one
// (the common case) it goes with the other fields levee adds, written after the request's own.
void assign_request_id(HandledRequest& handled, RequestHeader& request, AddedFields& added, policy::Random& random) {
  const auto incoming_id = request.find(request_id_header);
  const bool has_id = incoming_id != request.end();
  handled.record.request_id =
      choose_request_id(has_id ? std::string_view(incoming_id->value()) : std::string_view(), random);
  if (has_id)
    request.set(request_id_header, handled.record.request_id.view());
  else
    added.add(request_id_header, handled.record.request_id);  // a view: handled outlives the exchange
}

// check, route, trust (request_head.h: the fuzzer drives the same function). None: refused,
// with the answer in `handled`.
const Route* route_request(HandledRequest& handled, RequestParser& parser, const RequestContext& context,
                           ClientTrust& trust) {
  const ProxyRuntime& runtime = context.runtime;
  HeadDecision head =
      examine_request_head(parser.get(), !parser.is_done(), runtime.router, *runtime.config, context.peer);
  if (head.refusal) {
    answer(handled, std::move(*head.refusal));
    return nullptr;
  }
  const Route& route = runtime.routes[*head.route];
  handled.metrics = route.metrics;
  handled.record.route = route.name();
  trust = head.trust;
  return &route;
}

// A tunnel's end cannot be predicted as a queue's drain can: the client is told to come back in
// about a second (jittered, so a crowd of reconnecting clients spreads out).
LocalReply tunnel_limit_reply(policy::Random& random) {
  LocalReply reply = make_error_reply(bh::status::service_unavailable, "tunnel limit reached", false);
  const auto retry_after = jittered_retry_after(std::chrono::seconds(1), random);
  reply.headers.emplace_back("Retry-After", std::to_string(retry_after.count()));
  return reply;
}

void count_tunnel(ProxyShared& shared, const Route& route, policy::TunnelResult result) {
  if (shared.tunnel_metrics) shared.tunnel_metrics->count(route.index, result);
}

// classify, and admit or shed at once (most requests), into `admission`. False: the ticket
// must queue. `flow` holds the ticket's flow label, and must outlive the admission
// (Ticket::flow_label).
bool admit_at_once(const Route& route, const RequestHeader& request, const RequestContext& context, bool trusted_proxy,
                   policy::TimePoint started, policy::Ticket& ticket, FlowKey& flow, AdmitResult& admission) {
  const config::Config& config = *context.runtime.config;
  const AdmissionFacts facts = admission_facts(request, *route.config, config, started);
  ticket.priority = facts.priority;
  ticket.is_retry = facts.is_retry;
  ticket.arrival = started;
  ticket.deadline = facts.deadline;
  // Fair admission only: a group without a flow key reads nothing here.
  if (route.flow_key) {
    const std::string client =
        route.flow_key->needs_client_address
            ? resolve_client_address(request, context.peer, trusted_proxy, config.trusted_proxies)
            : std::string();
    flow = flow_key(*route.flow_key, FlowKeyInputs{request, request.target(), client});
    ticket.flow = flow.flow;
    ticket.named_flow = flow.named_flow;
    ticket.flow_label = flow.label;
  }
  std::optional<AdmitResult> decided = route.gate->admit_now(ticket);
  if (!decided) return false;
  admission = std::move(*decided);
  return true;
}

// The queue: only a wait takes a coroutine (and its frame). Separate statements, not `?:`: GCC
// destroys a co_await result of a conditional operator twice, and the permit inside was
// released twice.
Awaitable<void> wait_for_admission(AdmissionGate& gate, const policy::Ticket& ticket, Downstream& down,
                                   AdmitResult& admission) {
  if (down.gone) admission = co_await gate.admit(ticket, *down.gone);
  else admission = co_await gate.admit(ticket, down.stream.socket());
}

LocalReply shed_reply(const AdmitResult& admission, const Route& route, const RequestContext& context,
                      const RequestParser& parser) {
  const config::Config& config = *context.runtime.config;
  const auto retry_after = jittered_retry_after(route.gate->suggested_retry_after(), context.shared.random);
  const ShedReplyStyle style{config.shed_response.status, config.shed_response.sorry_page_html};
  return make_shed_reply(admission.reason, retry_after, prefers_html(parser.get()[bh::field::accept]), style,
                         !parser.is_done());
}

// answer: what the exchange says goes into the request's record.
void record_exchange(HandledRequest& handled, const ForwardResult& forwarded) {
  const ExchangeResult& result = forwarded.result;
  RequestRecord& record = handled.record;
  record.error = result.error;
  record.attempts = forwarded.attempts;
  record.retry = forwarded.outcome;
  record.request_body_bytes = result.request_body_bytes;
  record.response_body_bytes = result.response_body_bytes;
  record.status = result.status;
  handled.keep_alive = result.keep_alive && !handled.tunnel;
}

}  // namespace

Awaitable<void> handle_request(const RequestContext& context, Downstream& down, RequestParser& parser,
                               policy::TimePoint started, HandledRequest& handled) {
  const config::Config& config = *context.runtime.config;
  ProxyShared& shared = context.shared;
  auto& request = parser.get();
  handled.metrics = &shared.metrics.unrouted();
  handled.record.started = started;
  if (context.runtime.access_log)
    handled.record.request_line = fmt::format("{} {} HTTP/1.{}", request.method_string(), request.target(),
                                              down.version % 10);
  AddedFields added;
  assign_request_id(handled, request, added, context.worker.random);

  // check, route, trust
  ClientTrust trust;
  const Route* const routed = route_request(handled, parser, context, trust);
  if (!routed) co_return;
  const Route& route = *routed;

  // upgrade: a tunnel place is taken before anything else is spent on the handshake.
  UpstreamPool& pool = *context.worker.pools[route.upstream];
  // An HTTP/2 service gets no Upgrade (HTTP/2 has none): the tunnel path is HTTP/1.1's.
  const std::optional<std::string> upgrade =
      shared.tunnels && !pool.h2() ? requested_upgrade(parser, *route.config) : std::nullopt;
  TunnelPlace tunnel_place;
  if (upgrade) {
    tunnel_place = TunnelPlace::reserve(*shared.tunnels, config.tunnels.max);
    if (!tunnel_place) {
      count_tunnel(shared, route, policy::TunnelResult::over_cap);
      co_return answer(handled, tunnel_limit_reply(shared.random));
    }
  }

  // buffer: a small body is read before admission, so a slow upload holds no permit (and no
  // upstream connection). Expect is read first: prepare_upstream_request removes it.
  down.continue_owed = !parser.is_done() && ascii_iequals(request[bh::field::expect], "100-continue");
  // The connection's buffer, its size kept: a body no larger than the last one is read into it
  // without zeroing it first.
  std::string& body = down.request_body_buffer;
  const bool body_in_memory = !parser.is_done() && !parser.chunked() && parser.content_length() &&
                              *parser.content_length() <= config.listener.max_buffered_request_body;
  if (body_in_memory) {
    const ExchangeError error = co_await read_request_body(down, parser, body, *parser.content_length());
    handled.record.request_body_bytes = body.size();
    if (error == ExchangeError::client_gone) {
      handled.record.status = client_closed_status;
      handled.record.error = error;
      co_return;
    }
    if (error != ExchangeError::none) co_return answer(handled, reply_for(error, false));
  }

  // classify and admit. Without a gate the permit stays empty.
  AdmitResult admission;
  policy::Ticket ticket;
  FlowKey flow;  // the ticket's flow label: lives past the admission, as Ticket::flow_label requires
  if (route.gate) {
    if (!admit_at_once(route, request, context, trust.trusted_proxy, started, ticket, flow, admission))
      co_await wait_for_admission(*route.gate, ticket, down, admission);
    handled.record.queue_wait = admission.queue_wait;
    if (!admission.admitted()) {
      if (upgrade) count_tunnel(shared, route, policy::TunnelResult::shed);
      handled.record.shed = admission.reason;
      if (admission.reason == policy::ShedReason::client_gone) {
        handled.record.status = client_closed_status;
        co_return;
      }
      co_return answer(handled, shed_reply(admission, route, context, parser));
    }
    if (ticket.deadline) restate_grpc_timeout(request, *ticket.deadline, shared.clock.now());
  }

  // forward
  prepare_upstream_request(
      request, ForwardingFacts{context.client_address, context.scheme, trust.trusted_proxy, route.upstream_authority},
      added);
  shared.in_flight.add(context.worker.index, 1);
  std::unique_ptr<UpstreamConnection> tunnel_upstream;
  ForwardResult forwarded;
  if (upgrade) {
    added.insert_into(request);
    tunnel_upstream = co_await forward_upgrade(down, parser, *upgrade, pool, shared.clock,
                                               config.listener.max_buffered_response_body, forwarded);
  } else if (H2UpstreamPool* h2 = pool.h2()) {
    // An HTTP/2 client can send no more than its connection window; an HTTP/1.1 client's body
    // is held whole up to the same bound on its way to an HTTP/2 service.
    added.insert_into(request);
    co_await forward_h2(down, parser, body_in_memory ? &body : nullptr, *h2, shared.clock,
                        config.listener.http2.settings.connection_window_size, forwarded);
  } else {
    co_await forward(down, parser, added, body_in_memory ? &body : nullptr, pool, shared.clock,
                     RetryContext{route.config->retry, route.retry.get(), config.request_headers.idempotency_key,
                                  shared.random, shared.retry_metrics, route.index},
                     config.listener.max_buffered_response_body, forwarded);
  }
  shared.in_flight.add(context.worker.index, -1);
  ExchangeResult& result = forwarded.result;
  // Goodput as the caller sees it: an answer its caller did not wait for is a failure of the
  // service to answer in time, however fast the service thinks it was.
  const bool abandoned = is_abandoned(result, ticket.deadline && shared.clock.now() > *ticket.deadline);
  if (abandoned) route.metrics->abandoned->Increment();
  // A tunnel's handshake time is not the route's latency, and its life is not the service's
  // work: it is no sample for the limit.
  admission.permit.release(tunnel_upstream ? policy::Outcome::ignored
                                           : abandoned ? policy::Outcome::abandoned : outcome_of(result));
  // A response read whole goes to the client only now, with the service's capacity released.
  if (forwarded.buffered) co_await write_buffered_response(down, *forwarded.buffered, result);
  if (upgrade) {
    if (tunnel_upstream && result.error == ExchangeError::none) {
      tunnel_place.establish(route.index);
      count_tunnel(shared, route, policy::TunnelResult::established);
      handled.tunnel = EstablishedTunnel{std::move(tunnel_upstream), std::move(tunnel_place)};
    } else {
      count_tunnel(shared, route,
                   result.error == ExchangeError::none ? policy::TunnelResult::declined : policy::TunnelResult::failed);
    }
  }

  // answer
  record_exchange(handled, forwarded);
  if (result.error == ExchangeError::none) co_return;
  shared.metrics.error(static_cast<std::size_t>(result.error)).Increment();
  if (result.error == ExchangeError::client_too_slow)
    spdlog::debug("{} {}: streamed body below listener.min_transfer_rate or past max_transfer_time; cut off",
                  context.client_address, route.name());
  handled.keep_alive = false;
  if (result.response_started || result.error == ExchangeError::client_gone) co_return;
  co_return answer(handled, reply_for(result.error, parser.is_done()));
}

}  // namespace levee::http
