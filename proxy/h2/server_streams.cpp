// ServerConnection: a request's header block checked, and the calls that answer a stream.
#include <algorithm>
#include <utility>

#include <nghttp2/nghttp2.h>

#include "proxy/h2/callbacks.h"
#include "proxy/h2/fields.h"
#include "proxy/h2/server_connection.h"
#include "proxy/h2/stream_state.h"
#include "proxy/policy/ascii.h"

namespace levee::h2 {
namespace {

const Field* field_named(const std::vector<Field>& fields, std::string_view name) {
  const auto found = std::find_if(fields.begin(), fields.end(), [&](const Field& f) { return f.name == name; });
  return found == fields.end() ? nullptr : &*found;
}

// RFC 9113 8.3.1: a request whose Host names another authority than :authority is malformed.
// nghttp2 checks each field alone, not the two together. (HTTP/2 lower-cases names, so an
// exact match on "host" is enough.)
bool authority_conflicts(const std::vector<Field>& fields) {
  const Field* authority = field_named(fields, ":authority");
  const Field* host = field_named(fields, "host");
  return authority != nullptr && host != nullptr && !ascii_iequals(authority->value, host->value);
}

constexpr std::string_view too_large_body = "request header fields too large\n";

}  // namespace

void ServerConnection::on_request_headers(Stream& stream, bool end_stream) {
  if (stream.header_too_large) {
    refuse(stream, 431);
    return;
  }
  if (authority_conflicts(stream.fields)) {
    // A malformed request is a stream error (RFC 9113 8.1.1); the reset counts against the
    // client like any reset it provokes (not app_reset).
    nghttp2_submit_rst_stream(session_, NGHTTP2_FLAG_NONE, stream.id, error_code::protocol_error);
    std::vector<Field>().swap(stream.fields);
    return;
  }
  stream.announced = true;
  push(StreamOpened{stream.id, std::exchange(stream.fields, {}), end_stream});
  if (end_stream) push(RequestEnd{stream.id, {}});
}

void ServerConnection::refuse(Stream& stream, unsigned status) {
  stream.refused = true;
  std::vector<Field>().swap(stream.fields);
  // A request levee had to refuse for its size costs a decode, as a reset does: count it so a
  // stream of them meets the reset rule.
  on_signal(policy::H2Signal::stream_reset);
  stream.app_reset = true;
  submit_response(stream.id, status, {{"content-type", "text/plain; charset=utf-8"}}, false);
  send_body(stream.id, too_large_body, true);
}

bool ServerConnection::submit_response(std::int32_t id, unsigned status, const std::vector<Field>& headers,
                                       bool end_stream) {
  Stream* stream = find(id);
  if (stream == nullptr || stream->response_started || closing_) return false;
  std::vector<Field> fields;
  fields.push_back({":status", std::to_string(status)});
  for (Field& field : outgoing_fields(headers)) fields.push_back(std::move(field));
  std::vector<nghttp2_nv> nva = to_nva(fields);
  nghttp2_data_provider provider{};
  provider.read_callback = Callbacks::read_body;
  if (nghttp2_submit_response(session_, id, nva.data(), nva.size(), end_stream ? nullptr : &provider) != 0) return false;
  stream->response_started = true;
  stream->body_ended = end_stream;
  return true;
}

bool ServerConnection::send_body(std::int32_t id, std::string_view bytes, bool end_stream) {
  Stream* stream = find(id);
  if (stream == nullptr || !stream->response_started || stream->body_ended || closing_) return false;
  stream->body.append(bytes);
  stream->body_ended = end_stream;
  if (stream->deferred && (!bytes.empty() || end_stream)) {
    stream->deferred = false;
    nghttp2_session_resume_data(session_, id);
  }
  return true;
}

bool ServerConnection::submit_trailers(std::int32_t id, const std::vector<Field>& trailers) {
  Stream* stream = find(id);
  if (stream == nullptr || !stream->response_started || stream->body_ended || closing_) return false;
  stream->trailers = outgoing_fields(trailers);
  return send_body(id, {}, true);
}

void ServerConnection::reset_stream(std::int32_t id, std::uint32_t code) {
  if (Stream* stream = find(id)) stream->app_reset = true;
  nghttp2_submit_rst_stream(session_, NGHTTP2_FLAG_NONE, id, code);
}

void ServerConnection::consume_request_body(std::int32_t id, std::size_t n) {
  Stream* stream = find(id);
  if (stream == nullptr) return;  // closed: its bytes went back to the connection window then
  n = std::min(n, stream->unconsumed);
  stream->unconsumed -= n;
  if (n > 0) nghttp2_session_consume(session_, id, n);
}

void ServerConnection::announce_shutdown() {
  if (!closing_) nghttp2_submit_shutdown_notice(session_);
}

void ServerConnection::goaway(std::uint32_t code) {
  if (closing_) return;
  if (code != error_code::no_error) {
    close_for(code);
    return;
  }
  nghttp2_submit_goaway(session_, NGHTTP2_FLAG_NONE, nghttp2_session_get_last_proc_stream_id(session_), code,
                        nullptr, 0);
}

}  // namespace levee::h2
