#include "proxy/http/client_session.h"

#include <algorithm>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/read_size.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <spdlog/spdlog.h>

#include "proxy/http/client_trust.h"
#include "proxy/http/request_class.h"
#include "proxy/http/shed_reply.h"

namespace levee::http {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bh = boost::beast::http;
using asio::awaitable;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t first_read_size = 4096;
// The most one read adds to the client buffer (Beast's own choice for its read operations).
constexpr std::size_t read_chunk = 65536;

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
    case ExchangeError::none:
    case ExchangeError::client_gone:
      break;
  }
  return make_error_reply(bh::status::internal_server_error, "internal error", true);
}

LocalReply reply_for_parse_error(const beast::error_code& ec) {
  if (ec == bh::error::header_limit)
    return make_error_reply(bh::status::request_header_fields_too_large, "request header too large", true);
  if (ec == bh::error::body_limit)
    return make_error_reply(bh::status::payload_too_large, "request body too large", true);
  return make_error_reply(bh::status::bad_request, "malformed request", true);
}

// Reads one request header into `parser`, at most `limit` bytes in all. Beast's own header_limit
// (1.81) only bounds the bytes it has not parsed yet: fields it already consumed stop counting,
// so a header of thousands of small fields arriving in pieces grew without bound (and was
// forwarded). Here each put() gets only what is left of the budget.
awaitable<beast::error_code> read_request_header(beast::tcp_stream& stream, beast::flat_buffer& buffer,
                                                 RequestParser& parser, std::uint32_t limit) {
  std::uint64_t consumed = 0;
  for (;;) {
    if (buffer.size() > 0) {
      beast::error_code ec;
      parser.header_limit(static_cast<std::uint32_t>(limit - consumed));
      const std::size_t used = parser.put(buffer.data(), ec);
      buffer.consume(used);
      consumed += used;
      // One put() may take a start line and fields each up to the limit: count them together.
      if (consumed > limit) co_return bh::error::header_limit;
      if (ec != bh::error::need_more) co_return ec;  // done, or a parse error
    }
    const std::size_t room = beast::read_size(buffer, read_chunk);
    if (room == 0) co_return bh::error::header_limit;  // the buffer is at its max_size
    auto [ec, n] = co_await stream.async_read_some(buffer.prepare(room), use_tuple);
    if (ec == asio::error::eof) {
      if (!parser.got_some()) co_return bh::error::end_of_stream;
      beast::error_code eof_ec;
      parser.put_eof(eof_ec);  // partial_message: the header was cut off
      co_return eof_ec;
    }
    if (ec) co_return ec;
    buffer.commit(n);
  }
}

bool is_disconnect(const beast::error_code& ec) {
  return ec == bh::error::end_of_stream || ec == asio::error::eof || ec == asio::error::connection_reset ||
         ec == asio::error::operation_aborted || ec == asio::error::broken_pipe || ec == beast::error::timeout;
}

// What the service's answer says about its health, for the group's limit algorithm.
policy::Outcome outcome_of(const ExchangeResult& result) {
  switch (result.error) {
    case ExchangeError::none:
      return result.status >= 500 || result.status == 429 ? policy::Outcome::dropped : policy::Outcome::success;
    case ExchangeError::connect_refused:
    case ExchangeError::connect_timeout:
    case ExchangeError::upstream_reset:
    case ExchangeError::upstream_timeout:
    case ExchangeError::upstream_protocol:
      return policy::Outcome::dropped;
    case ExchangeError::pool_exhausted:
    case ExchangeError::request_too_large:
    case ExchangeError::client_gone:
      break;
  }
  return policy::Outcome::ignored;
}

// nginx's "client closed request": logged and counted, never sent.
constexpr unsigned client_closed_status = 499;

double seconds_between(std::chrono::steady_clock::time_point a, std::chrono::steady_clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

}  // namespace

ClientSession::ClientSession(asio::ip::tcp::socket socket, Worker& worker, ProxyShared& shared)
    : stream_(std::move(socket)), header_timer_(worker.context), worker_(worker), shared_(shared) {
  beast::error_code ec;
  const auto peer = stream_.socket().remote_endpoint(ec);
  client_address_ = ec ? "unknown" : peer.address().to_string();
  peer_ = policy::IpAddress::parse(client_address_);
  stream_.socket().set_option(asio::ip::tcp::no_delay(true), ec);
  worker_.sessions.insert(this);
  shared_.metrics.client_connections().Increment();
}

ClientSession::~ClientSession() {
  worker_.sessions.erase(this);
  shared_.metrics.client_connections().Decrement();
  shared_.open_connections.fetch_sub(1, std::memory_order_relaxed);
}

void ClientSession::drain() {
  if (idle_) stream_.socket().cancel();
}

void ClientSession::arm_header_timer(std::chrono::nanoseconds timeout) {
  header_timed_out_ = false;
  const std::uint64_t generation = ++timer_generation_;
  header_timer_.expires_after(timeout);
  header_timer_.async_wait([weak = weak_from_this(), generation](const beast::error_code& ec) {
    auto self = weak.lock();
    if (ec || !self || self->timer_generation_ != generation) return;
    self->header_timed_out_ = true;
    beast::error_code ignored;
    self->stream_.socket().cancel(ignored);
  });
}

void ClientSession::disarm_header_timer() {
  ++timer_generation_;
  header_timer_.cancel();
}

awaitable<void> ClientSession::run() {
  auto self = shared_from_this();
  try {
    bool first = true;
    for (;;) {
      // The listener section needs a restart to change, so any runtime has the right timeouts.
      const auto timeout = [&] {
        const auto& listener = shared_.runtime(worker_)->config->listener;
        return first ? listener.header_timeout : listener.idle_timeout;
      }();
      // While draining, a connection that already had its answer closes; a new one (accepted
      // during drain_delay, before the load balancer noticed) still gets its first request served.
      if (!first && shared_.draining.load(std::memory_order_relaxed)) break;
      if (!co_await wait_for_request(timeout)) break;
      first = false;
      // Read after the wait, so a request on a long-idle connection sees the latest reload; the
      // copy keeps that config alive for the whole request.
      const auto runtime = shared_.runtime(worker_);
      if (co_await serve_one(*runtime) == Next::close) break;
    }
  } catch (const std::exception& e) {
    spdlog::warn("client session {}: {}", client_address_, e.what());
  }
  beast::error_code ignored;
  stream_.socket().shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
  stream_.socket().close(ignored);
}

awaitable<bool> ClientSession::wait_for_request(std::chrono::nanoseconds timeout) {
  if (buffer_.size() > 0) co_return true;  // a pipelined request is already here
  idle_ = true;
  stream_.expires_after(timeout);
  auto [ec, n] = co_await stream_.async_read_some(buffer_.prepare(first_read_size), use_tuple);
  idle_ = false;
  if (ec) co_return false;  // closed by the client, idle timeout, or drain
  buffer_.commit(n);
  co_return true;
}

awaitable<ClientSession::Next> ClientSession::serve_one(const ProxyRuntime& runtime) {
  const auto& listener = runtime.config->listener;
  const auto started = shared_.clock.now();
  RequestParser parser;
  parser.body_limit(listener.max_body_bytes);

  stream_.expires_never();
  arm_header_timer(listener.header_timeout);
  const auto header_limit = static_cast<std::uint32_t>(std::min<std::uint64_t>(listener.max_header_bytes, UINT32_MAX));
  // Beast buffers a chunked body's whole trailer section before parsing it, with no limit of its
  // own: without a cap on the buffer, "0\r\n" and then endless trailer lines grow it without
  // bound. The header never needs more than its limit plus one read.
  buffer_.max_size(std::max<std::size_t>(buffer_.size(), std::size_t{header_limit} + read_chunk));
  const beast::error_code read_ec = co_await read_request_header(stream_, buffer_, parser, header_limit);
  disarm_header_timer();
  const auto& unrouted = shared_.metrics.unrouted();
  if (read_ec) {
    if (header_timed_out_) {
      unrouted.record(408, seconds_between(started, shared_.clock.now()));
      co_return co_await reply(make_error_reply(bh::status::request_timeout, "request header timeout", true),
                               11, false, false, listener.body_timeout);
    }
    if (is_disconnect(read_ec)) co_return Next::close;
    const LocalReply answer = reply_for_parse_error(read_ec);
    unrouted.record(static_cast<unsigned>(answer.status), seconds_between(started, shared_.clock.now()));
    co_return co_await reply(answer, 11, false, false, listener.body_timeout);
  }

  auto& request = parser.get();
  const unsigned version = request.version() == 10 ? 10 : 11;
  const bool head = request.method() == bh::verb::head;
  const bool client_keep_alive = parser.keep_alive() && !shared_.draining.load(std::memory_order_relaxed);
  if (auto problem = check_request(request)) {
    unrouted.record(static_cast<unsigned>(problem->status), seconds_between(started, shared_.clock.now()));
    co_return co_await reply(make_error_reply(problem->status, problem->detail, true), version, false, head,
                             listener.body_timeout);
  }

  const auto route_index = runtime.router.match(request[bh::field::host], request.target());
  if (!route_index) {
    unrouted.record(404, seconds_between(started, shared_.clock.now()));
    co_return co_await reply(make_error_reply(bh::status::not_found, "no route", !parser.is_done()), version,
                             client_keep_alive, head, listener.body_timeout);
  }
  const RouteTarget& route = runtime.routes[*route_index];
  const ClientTrust trust = apply_client_trust(request, peer_, *runtime.config, runtime.config->routes[*route_index]);
  const auto& route_metrics = shared_.metrics.route(*route_index);
  RequestLog log;
  if (shared_.access_log) log.request_line = fmt::format("{} {} HTTP/1.{}", request.method_string(), request.target(), version % 10);

  PermitGuard permit;
  if (const auto& gate = runtime.gates[*route_index]) {
    const config::Config& config = *runtime.config;
    const RequestClass request_class =
        classify_request(request.base(), config.routes[*route_index], config.request_headers);
    policy::Ticket ticket;
    ticket.priority = request_class.priority;
    ticket.is_retry = request_class.is_retry;
    ticket.arrival = started;
    if (request_class.patience) ticket.deadline = started + *request_class.patience;
    AdmitResult admission = co_await gate->admit(ticket, stream_.socket());
    log.queue_wait = admission.queue_wait;
    if (!admission.admitted()) {
      log.shed = admission.reason;
      unsigned status = client_closed_status;
      Next next = Next::close;
      if (admission.reason != policy::ShedReason::client_gone) {
        const auto retry_after = jittered_retry_after(gate->suggested_retry_after(), shared_.random);
        const ShedReplyStyle style{config.shed_response.status, config.shed_response.sorry_page_html};
        const LocalReply answer = make_shed_reply(admission.reason, retry_after,
                                                  prefers_html(request[bh::field::accept]), style,
                                                  !parser.is_done());
        status = static_cast<unsigned>(answer.status);
        next = co_await reply(answer, version, client_keep_alive, head, listener.body_timeout);
      }
      finish_request(route_metrics, route.name, status, started, log);
      co_return next;
    }
    permit = std::move(admission.permit);
  }

  Downstream downstream{stream_, buffer_, listener.body_timeout, version, client_keep_alive, &shared_.draining};
  const ForwardingFacts facts{client_address_, "http", trust.trusted_proxy};
  shared_.metrics.in_flight().Increment();
  const config::Config& config = *runtime.config;
  const RetryContext retry{config.routes[*route_index].retry, runtime.retries[*route_index].get(),
                           config.request_headers.idempotency_key, shared_.random, shared_.retry_metrics,
                           *route_index};
  const RetriedExchange exchange =
      co_await forward_with_retries(downstream, parser, *worker_.pools[route.upstream], facts, shared_.clock, retry);
  const ExchangeResult& result = exchange.result;
  shared_.metrics.in_flight().Decrement();
  permit.release(outcome_of(result));

  Next next = result.keep_alive ? Next::keep_alive : Next::close;
  unsigned status = result.status;
  if (result.error != ExchangeError::none) {
    shared_.metrics.error(static_cast<std::size_t>(result.error)).Increment();
    next = Next::close;
    if (!result.response_started && result.error != ExchangeError::client_gone) {
      const LocalReply answer = reply_for(result.error, parser.is_done());
      status = static_cast<unsigned>(answer.status);
      next = co_await reply(answer, version, client_keep_alive, head, listener.body_timeout);
    }
  }
  log.error = result.error;
  log.attempts = exchange.attempts;
  log.retry = exchange.outcome;
  log.request_body_bytes = result.request_body_bytes;
  log.response_body_bytes = result.response_body_bytes;
  finish_request(route_metrics, route.name, status, started, log);
  co_return next;
}

void ClientSession::finish_request(const observability::RouteMetrics& metrics, const std::string& route,
                                   unsigned status, policy::TimePoint started, const RequestLog& log) {
  const auto finished = shared_.clock.now();
  metrics.record(status, seconds_between(started, finished));
  if (!shared_.access_log) return;
  shared_.access_log->info("{} \"{}\" {} {} {} {:.3f}ms route={} queue={:.3f}ms shed={} error={} attempts={} retry={}",
                           client_address_, log.request_line, status, log.request_body_bytes,
                           log.response_body_bytes, std::chrono::duration<double, std::milli>(finished - started).count(),
                           route, std::chrono::duration<double, std::milli>(log.queue_wait).count(),
                           log.shed ? policy::name(*log.shed) : "-", name(log.error), log.attempts,
                           log.retry ? name(*log.retry) : "-");
}

awaitable<ClientSession::Next> ClientSession::reply(const LocalReply& answer, unsigned version, bool keep_alive,
                                                    bool head, std::chrono::nanoseconds timeout) {
  auto response = to_response(answer, version, keep_alive, head);
  stream_.expires_after(timeout);
  auto [ec, n] = co_await bh::async_write(stream_, response, use_tuple);
  if (ec || answer.close_connection || !keep_alive) co_return Next::close;
  co_return Next::keep_alive;
}

}  // namespace levee::http
