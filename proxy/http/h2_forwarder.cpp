#include "proxy/http/h2_forwarder.h"

#include "proxy/h2/server_connection.h"  // h2::error_code
#include "proxy/http/header_hygiene.h"
#include "proxy/http/http1_sink.h"
#include "proxy/policy/grpc_status.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <charconv>
#include <optional>
#include <variant>

namespace levee::http {
namespace asio = boost::asio;
namespace bh = boost::beast::http;

namespace {

h2::RequestHead request_head(const RequestHeader& request) {
  h2::RequestHead head;
  head.method = std::string(request.method_string());
  head.path = std::string(request.target());
  head.authority = std::string(request[bh::field::host]);
  for (const auto& field : request) head.headers.push_back({std::string(field.name_string()), std::string(field.value())});
  if (policy::is_grpc_content_type(request[bh::field::content_type])) head.headers.push_back({"te", "trailers"});
  return head;
}

std::optional<unsigned> grpc_status_in(const std::vector<h2::Field>& fields) {
  for (const h2::Field& field : fields) {
    if (field.name != "grpc-status") continue;
    unsigned code = 0;
    const auto [end, ec] = std::from_chars(field.value.data(), field.value.data() + field.value.size(), code);
    if (ec == std::errc() && end == field.value.data() + field.value.size()) return code;
  }
  return std::nullopt;
}

Fields to_fields(const std::vector<h2::Field>& fields) {
  Fields out;
  for (const h2::Field& field : fields) out.insert(field.name, field.value);
  return out;
}

// The stream's next event; none when the deadline passed or the client left first.
Awaitable<std::optional<h2::ClientEvent>> next_event(H2UpstreamStream& waiter, const policy::Clock& clock,
                                                     policy::TimePoint deadline, const bool& client_left) {
  while (waiter.events.empty()) {
    const auto now = clock.now();
    if (client_left || now >= deadline) co_return std::nullopt;
    waiter.signal.expires_after(deadline - now);
    co_await waiter.signal.async_wait(asio::as_tuple(asio::deferred));
  }
  h2::ClientEvent event = std::move(waiter.events.front());
  waiter.events.pop_front();
  co_return event;
}

}  // namespace

Awaitable<void> forward_h2(Downstream& down, RequestParser& parser, const std::string* buffered_body,
                           H2UpstreamPool& pool, const policy::Clock& clock, std::uint64_t max_request_body,
                           ForwardResult& forwarded) {
  ExchangeResult& result = forwarded.result;
  const auto& request = parser.get();

  // The body, whole.
  std::string read_body;
  std::string_view body = buffered_body ? std::string_view(*buffered_body) : std::string_view();
  if (!buffered_body && !parser.is_done()) {
    if (parser.chunked() || !parser.content_length() || *parser.content_length() > max_request_body) {
      result.error = ExchangeError::request_too_large;
      co_return;
    }
    const ExchangeError error = co_await read_request_body(down, parser, read_body, *parser.content_length());
    if (error != ExchangeError::none) {
      result.error = error;
      co_return;
    }
    body = read_body;
  }
  result.request_body_bytes = body.size();

  H2OpenedStream opened = co_await pool.open_stream(request_head(request), body, clock);
  forwarded.attempts = 1;
  if (opened.error != ExchangeError::none) {
    result.error = opened.error;
    co_return;
  }
  H2UpstreamConnection& connection = *opened.connection;
  H2UpstreamStream& waiter = *opened.waiter;

  // The client's leaving wakes the wait at once (an HTTP/2 stream's RST_STREAM).
  bool client_left = false;
  struct Watch {
    ClientGone* gone;
    ~Watch() {
      if (gone) gone->forget();
    }
  } watch{down.gone};
  if (down.gone) down.gone->on_gone([&client_left, waiter = opened.waiter] {
    client_left = true;
    waiter->signal.cancel();
  });

  std::optional<Http1Sink> http1;
  if (!down.sink) http1.emplace(down);
  ResponseSink& sink = down.sink ? *down.sink : *http1;
  const bool head_request = request.method() == bh::verb::head;
  const auto read_timeout = pool.config().response_timeout;
  bool ended = false;  // the response is complete at the client
  for (;;) {
    auto event = co_await next_event(waiter, clock, clock.now() + read_timeout, client_left);
    if (!event) {
      result.error = client_left ? ExchangeError::client_gone : ExchangeError::upstream_timeout;
      result.abandoned = client_left;
      break;
    }
    if (auto* headers = std::get_if<h2::ResponseHeaders>(&*event)) {
      ResponseHeader head;
      head.version(11);
      head.result(headers->status);
      for (const h2::Field& field : headers->fields) head.insert(field.name, field.value);
      prepare_downstream_response(head);
      result.status = headers->status;
      if (const auto grpc = grpc_status_in(headers->fields)) result.grpc_status = grpc;
      result.response_started = true;
      const bool end = headers->end_stream || head_request;
      if (!co_await sink.write_head(head, end)) {
        result.error = ExchangeError::client_gone;
        break;
      }
      ended = end;
      if (ended) break;
    } else if (auto* data = std::get_if<h2::ResponseData>(&*event)) {
      result.response_body_bytes += data->bytes.size();
      result.response_bytes_seen = true;
      if (!co_await sink.write_body(data->bytes, false)) {
        result.error = ExchangeError::client_gone;
        break;
      }
      // Only now may the service send as much again: held bytes stay bounded by the window.
      connection.consume(opened.stream, data->bytes.size());
    } else if (auto* trailers = std::get_if<h2::ResponseTrailers>(&*event)) {
      if (const auto grpc = grpc_status_in(trailers->fields)) result.grpc_status = grpc;
      if (!co_await sink.write_trailers(to_fields(trailers->fields))) {
        result.error = ExchangeError::client_gone;
        break;
      }
      ended = true;
    } else if (std::holds_alternative<h2::ResponseEnd>(*event)) {
      if (!ended && !co_await sink.write_body({}, true)) result.error = ExchangeError::client_gone;
      ended = true;
      break;
    } else {
      // StreamReset or StreamClosed before the end: the service (or the connection) failed it.
      result.error = ExchangeError::upstream_reset;
      break;
    }
  }
  if (!waiter.closed) connection.reset(opened.stream, h2::error_code::cancel);
  connection.forget(opened.stream);
  if (result.error == ExchangeError::none) result.keep_alive = http1 ? http1->keep_alive() : true;
  co_return;
}

}  // namespace levee::http
