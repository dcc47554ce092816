#include "client/h2_link.h"
#include "client/response_reader.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/write.hpp>
#include <nghttp2/nghttp2.h>

#include <vector>

namespace levee::load {
namespace asio = boost::asio;

namespace {

std::optional<Nanos> retry_after_of(const std::vector<h2::Field>& fields) {
  for (const h2::Field& field : fields) {
    if (field.name == "retry-after") return parse_retry_after(field.value);
  }
  return std::nullopt;
}

}  // namespace

H2Link::H2Link(asio::io_context& ioc, asio::ip::tcp::endpoint endpoint, H2StreamOwner& owner)
    : ioc_(ioc), endpoint_(endpoint), owner_(owner), socket_(ioc), connection_(h2::Http2ClientSettings{}, Clock::now()) {}

void H2Link::open() {
  socket_.async_connect(endpoint_, [self = shared_from_this()](const error_code& ec) {
    if (self->dead_) return;
    if (ec) return self->fail(Outcome::connect_error);
    self->connected_ = true;
    error_code ignored;
    self->socket_.set_option(asio::ip::tcp::no_delay(true), ignored);
    self->flush();  // the preface, SETTINGS and the streams submitted while connecting
    self->read();
  });
}

bool H2Link::start(const H2Request& request, Clock::time_point deadline, std::uint32_t tag) {
  if (!can_take()) return false;
  const auto stream = connection_.submit_request(request.head, request.body.empty(), Clock::now());
  if (!stream) return false;
  if (!request.body.empty()) connection_.send_body(*stream, request.body, true);
  Attempt& attempt = streams_[*stream];
  attempt.tag = tag;
  attempt.deadline = std::make_unique<asio::steady_timer>(ioc_, deadline);
  attempt.deadline->async_wait([self = shared_from_this(), id = *stream](const error_code& ec) {
    if (!ec) self->on_deadline(id);
  });
  flush();
  return true;
}

void H2Link::read() {
  socket_.async_read_some(asio::buffer(read_buffer_), [self = shared_from_this()](const error_code& ec, std::size_t n) {
    if (self->dead_) return;
    if (ec) return self->fail(Outcome::closed);
    self->connection_.feed(std::string_view(self->read_buffer_.data(), n), Clock::now());
    self->handle_events();
    self->flush();
    if (self->connection_.should_close()) return self->fail(Outcome::closed);
    self->read();
  });
}

void H2Link::handle_events() {
  for (h2::ClientEvent& event : connection_.take_events()) {
    if (auto* headers = std::get_if<h2::ResponseHeaders>(&event)) {
      const auto it = streams_.find(headers->stream);
      if (it == streams_.end()) continue;
      it->second.answered = true;
      it->second.result.status = headers->status;
      it->second.result.retry_after = retry_after_of(headers->fields);
    } else if (auto* data = std::get_if<h2::ResponseData>(&event)) {
      connection_.consume_response_body(data->stream, data->bytes.size());  // discarded, as on HTTP/1.1
    } else if (auto* end = std::get_if<h2::ResponseEnd>(&event)) {
      const auto it = streams_.find(end->stream);
      if (it != streams_.end()) finish(end->stream, outcome_of_status(it->second.result.status));
    } else if (auto* closed = std::get_if<h2::StreamClosed>(&event)) {
      // Closed without an end: reset by the target, refused after a GOAWAY, or a bad response.
      const auto it = streams_.find(closed->stream);
      if (it != streams_.end())
        finish(closed->stream, closed->error_code == NGHTTP2_PROTOCOL_ERROR ? Outcome::protocol : Outcome::closed);
    }
    // ResponseTrailers, StreamReset (a StreamClosed follows) and GoAwayReceived (can_take()
    // reads it from the connection) need nothing here.
  }
}

void H2Link::flush() {
  if (!connected_ || writing_ || dead_) return;
  const auto output = connection_.pending_output(Clock::now());
  handle_events();  // writing can close streams (our resets)
  if (output.empty()) return;
  write_buffer_.assign(reinterpret_cast<const char*>(output.data()), output.size());
  connection_.consume_output(output.size());
  writing_ = true;
  asio::async_write(socket_, asio::buffer(write_buffer_), [self = shared_from_this()](const error_code& ec, std::size_t) {
    self->writing_ = false;
    if (self->dead_) return;
    if (ec) return self->fail(Outcome::closed);
    self->flush();
  });
}

void H2Link::on_deadline(std::int32_t stream) {
  if (streams_.find(stream) == streams_.end()) return;
  connection_.reset_stream(stream, NGHTTP2_CANCEL);
  finish(stream, Outcome::timeout);
  flush();
}

void H2Link::finish(std::int32_t stream, Outcome outcome) {
  const auto it = streams_.find(stream);
  if (it == streams_.end()) return;
  ExchangeResult result = it->second.result;
  result.outcome = outcome;
  if (outcome != Outcome::ok && outcome != Outcome::shed && !it->second.answered) result.status = 0;
  const std::uint32_t tag = it->second.tag;
  it->second.deadline->cancel();
  streams_.erase(it);
  owner_.on_stream_done(tag, result);
}

void H2Link::fail(Outcome outcome) {
  if (dead_) return;
  dead_ = true;
  error_code ignored;
  socket_.close(ignored);
  // The owner may start attempts on other links from its callback: take the map out first.
  auto open = std::move(streams_);
  streams_.clear();
  for (auto& [id, attempt] : open) {
    attempt.deadline->cancel();
    ExchangeResult result;
    result.outcome = outcome;
    owner_.on_stream_done(attempt.tag, result);
  }
}

}  // namespace levee::load
