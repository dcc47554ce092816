#include "proxy/http/h2_stream.h"

#include "proxy/h2/http1_request.h"
#include "proxy/http/h2_session.h"
#include "proxy/http/request_head.h"
#include "proxy/http/request_pipeline.h"
#include "proxy/http/response_sink.h"
#include "proxy/http/shed_reply.h"
#include "proxy/policy/grpc_shed.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

#include <charconv>
#include <cstring>

namespace levee::http {
namespace asio = boost::asio;
namespace bh = boost::beast::http;

namespace {

// The response of one stream, submitted on it as the exchange produces it.
class StreamSink final : public ResponseSink {
 public:
  StreamSink(H2Session& session, H2Stream& stream) : session_(session), stream_(stream) {}

  bool head_sent() const { return head_sent_; }
  bool ended() const { return ended_; }

  Awaitable<bool> write_head(const ResponseHeader& head, bool end) override {
    std::vector<h2::Field> fields;
    for (const auto& field : head) fields.push_back({std::string(field.name_string()), std::string(field.value())});
    co_return submit(head.result_int(), fields, end);
  }

  Awaitable<bool> write_body(std::string_view bytes, bool end) override {
    if (stream_.closed || !session_.connection().send_body(stream_.id, bytes, end)) co_return false;
    ended_ = end;
    session_.wake_writer();
    while (!stream_.closed &&
           session_.connection().queued_response_bytes(stream_.id) > H2Session::response_high_water) {
      stream_.output_drained.expires_at(asio::steady_timer::time_point::max());
      co_await stream_.output_drained.async_wait(asio::as_tuple(asio::deferred));
    }
    co_return !stream_.closed;
  }

  Awaitable<bool> write_trailers(const Fields& trailers) override {
    std::vector<h2::Field> fields;
    for (const auto& field : trailers) fields.push_back({std::string(field.name_string()), std::string(field.value())});
    if (stream_.closed || !session_.connection().submit_trailers(stream_.id, fields)) co_return false;
    ended_ = true;
    session_.wake_writer();
    co_return true;
  }

  // Headers (and, with `end`, the end of the response) in one HEADERS frame.
  bool submit(unsigned status, const std::vector<h2::Field>& fields, bool end) {
    if (stream_.closed || !session_.connection().submit_response(stream_.id, status, fields, end)) return false;
    head_sent_ = true;
    ended_ = end;
    session_.wake_writer();
    return true;
  }

 private:
  H2Session& session_;
  H2Stream& stream_;
  bool head_sent_ = false;
  bool ended_ = false;
};

std::int64_t retry_after_seconds(const LocalReply& reply) {
  for (const auto& [name, value] : reply.headers) {
    if (name != "Retry-After") continue;
    std::int64_t seconds = 0;
    std::from_chars(value.data(), value.data() + value.size(), seconds);
    return seconds;
  }
  return 0;
}

// gRPC's trailers-only answer: HTTP 200, content-type application/grpc and the status in one
// HEADERS frame that ends the stream. `extra`: fields that follow the status ones.
void answer_grpc(StreamSink& sink, policy::GrpcStatus status, std::string message,
                 std::vector<h2::Field> extra = {}) {
  std::vector<h2::Field> fields{{"content-type", "application/grpc"},
                                {"grpc-status", policy::grpc_status_value(status)},
                                {"grpc-message", std::move(message)}};
  for (h2::Field& field : extra) fields.push_back(std::move(field));
  sink.submit(200, fields, true);
}

// A shed gRPC call: trailers-only, the status in grpc-status (policy/grpc_shed.h).
void answer_grpc_shed(StreamSink& sink, const LocalReply& reply, policy::ShedReason reason) {
  const auto pushback = std::chrono::seconds(retry_after_seconds(reply));
  policy::GrpcShedAnswer grpc = policy::grpc_shed_answer(reason, static_cast<unsigned>(reply.status), pushback);
  answer_grpc(sink, grpc.status, std::move(grpc.message),
              {{"grpc-retry-pushback-ms", std::move(grpc.pushback)},
               {std::string(shed_reason_header), std::string(policy::name(reason))},
               {std::string(overloaded_header), "true"}});
}

// Why levee answered a forwarded call itself, in gRPC's terms; none: not the service's fault
// (a refused request), mapped from its HTTP status instead.
std::optional<policy::LocalFailure> local_failure_of(ExchangeError error) {
  switch (error) {
    case ExchangeError::pool_exhausted:
    case ExchangeError::connect_refused:
    case ExchangeError::connect_timeout:  // never reached the service: safe to retry elsewhere
    case ExchangeError::upstream_reset:
    case ExchangeError::upstream_protocol:
    case ExchangeError::upstream_tls:
      return policy::LocalFailure::upstream_unavailable;
    case ExchangeError::upstream_timeout:
      return policy::LocalFailure::upstream_timeout;
    case ExchangeError::none:
    case ExchangeError::request_too_large:
    case ExchangeError::client_gone:
    case ExchangeError::client_too_slow:
      break;
  }
  return std::nullopt;
}

// Any other local answer to a gRPC call (404, 413, 502, 504...): trailers-only, with the status
// a gRPC client would derive, so it reads a status, not an HTTP error it maps poorly.
void answer_grpc_failure(StreamSink& sink, const LocalReply& reply, ExchangeError error) {
  const auto failure = local_failure_of(error);
  const policy::GrpcStatus status =
      failure ? policy::grpc_status_for(*failure) : policy::grpc_status_for_http(static_cast<unsigned>(reply.status));
  std::string_view detail = reply.body;
  while (!detail.empty() && detail.back() == '\n') detail.remove_suffix(1);
  answer_grpc(sink, status, policy::grpc_message_value(detail));
}

Awaitable<void> answer_locally(StreamSink& sink, const LocalReply& reply, bool head_request) {
  const auto response = to_response(reply, 11, true, head_request);
  const bool empty = response.body().empty();
  const bool head_written = co_await sink.write_head(response.base(), empty);
  if (head_written && !empty) co_await sink.write_body(response.body(), true);
}

}  // namespace

Awaitable<void> serve_stream(std::shared_ptr<H2Session> session, std::shared_ptr<H2Stream> stream) {
  ProxyShared& shared = session->shared();
  Worker& worker = session->worker();
  const auto runtime = shared.runtime(worker);
  const auto& listener = runtime->config->listener;
  StreamSink sink(*session, *stream);
  const bool head_request = h2::field_value(stream->fields, ":method") == "HEAD";
  const bool grpc = policy::is_grpc_content_type(h2::field_value(stream->fields, "content-type"));

  HandledRequest handled;
  handled.metrics = &shared.metrics.unrouted();
  handled.record.started = stream->opened;
  // The request as the service will see it: the HTTP/1.1 head, then the body, in one buffer
  // the parser reads as it would read a socket's.
  const auto head = h2::http1_request_head(
      stream->fields, stream->has_body ? std::optional<std::uint64_t>(stream->body.size()) : std::nullopt);
  boost::beast::flat_buffer buffer;
  RequestParser parser = make_parser<RequestParser>(worker.fields);
  parser.body_limit(listener.max_body_bytes);
  boost::beast::error_code parse_ec = bh::error::bad_method;
  if (head && !stream->too_large) {
    const std::size_t size = head->size() + stream->body.size();
    auto room = buffer.prepare(size);
    std::memcpy(room.data(), head->data(), head->size());
    if (!stream->body.empty())
      std::memcpy(static_cast<char*>(room.data()) + head->size(), stream->body.data(), stream->body.size());
    buffer.commit(size);
    std::string().swap(stream->body);
    HeaderBudget budget{static_cast<std::uint32_t>(std::min<std::uint64_t>(head->size(), UINT32_MAX))};
    parse_ec = parse_request_header(parser, buffer, budget);
  }

  if (stream->gone.gone()) {
    // Cancelled before it started (a client resetting what it opens): nothing goes on.
    handled.record.status = client_closed_status;
  } else if (stream->too_large) {
    handled.reply = make_error_reply(bh::status::payload_too_large, "request body too large", false);
  } else if (parse_ec) {
    handled.reply = make_error_reply(bh::status::bad_request, "malformed request", false);
  } else {
    // Only the exchange's placeholder: with the whole request in `buffer`, a gone client
    // watched through `gone` and the response going to `sink`, nothing reads or writes it.
    MaybeTlsStream placeholder(worker.context);
    std::string upstream_head;  // the request's header to an HTTP/1.1 service
    std::string request_body;   // a body held whole is copied out of `buffer` into it
    Downstream down{placeholder, buffer, upstream_head, request_body, listener.body_timeout, 11, true,
                    &shared.draining};
    down.gone = &stream->gone;
    down.sink = &sink;
    down.fields = &worker.fields;
    const RequestContext context{*runtime, shared, worker, session->client_address(), session->peer(),
                                 session->is_tls() ? "https" : "http"};
    co_await handle_request(context, down, parser, stream->opened, handled);
  }

  if (handled.reply) {
    handled.record.status = static_cast<unsigned>(handled.reply->status);
    if (grpc && handled.record.shed) answer_grpc_shed(sink, *handled.reply, *handled.record.shed);
    else if (grpc) answer_grpc_failure(sink, *handled.reply, handled.record.error);
    else co_await answer_locally(sink, *handled.reply, head_request);
  }
  if (auto& line = handled.record.request_line; line.ends_with("HTTP/1.1")) line.replace(line.size() - 8, 8, "HTTP/2");
  finish_request(handled.record, shared.clock.now(), session->client_address(), *handled.metrics, worker.index,
                 runtime->access_log.get());
  // A response cut short (the service failed mid-body) or never begun (the client left, or
  // nothing could be answered) ends the stream with RST_STREAM, as closing the connection
  // would for HTTP/1.1.
  if (!stream->closed && !sink.ended())
    session->connection().reset_stream(stream->id, sink.head_sent() ? h2::error_code::internal_error
                                                                    : h2::error_code::cancel);
  session->wake_writer();
}

}  // namespace levee::http
