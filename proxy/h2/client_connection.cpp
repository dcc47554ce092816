#include "proxy/h2/client_connection.h"

#include <algorithm>
#include <array>
#include <new>
#include <utility>

#include <nghttp2/nghttp2.h>

#include "proxy/h2/client_callbacks.h"
#include "proxy/h2/client_stream.h"
#include "proxy/h2/fields.h"
#include "proxy/h2/server_connection.h"

namespace levee::h2 {
namespace {

// As on the server side: output pulled from nghttp2 up to this much at a time, input handed to
// it in slices so a fatal error stops the parse within one slice.
constexpr std::size_t output_high_water = 64 * 1024;
constexpr std::size_t input_slice = 16 * 1024;

struct CallbacksDeleter {
  void operator()(nghttp2_session_callbacks* c) const { nghttp2_session_callbacks_del(c); }
};
struct OptionDeleter {
  void operator()(nghttp2_option* o) const { nghttp2_option_del(o); }
};

}  // namespace

ClientConnection::ClientConnection(const Http2ClientSettings& settings, policy::TimePoint now)
    : settings_(settings), last_activity_(now) {
  nghttp2_session_callbacks* raw_callbacks = nullptr;
  nghttp2_option* raw_option = nullptr;
  if (nghttp2_session_callbacks_new(&raw_callbacks) != 0 || nghttp2_option_new(&raw_option) != 0) {
    if (raw_callbacks != nullptr) nghttp2_session_callbacks_del(raw_callbacks);
    throw std::bad_alloc();
  }
  const std::unique_ptr<nghttp2_session_callbacks, CallbacksDeleter> callbacks(raw_callbacks);
  const std::unique_ptr<nghttp2_option, OptionDeleter> option(raw_option);
  ClientCallbacks::install(callbacks.get());
  // Response body bytes reopen the service's windows when the caller has passed them on.
  nghttp2_option_set_no_auto_window_update(option.get(), 1);
  nghttp2_option_set_no_closed_streams(option.get(), 1);
  if (nghttp2_session_client_new2(&session_, callbacks.get(), this, option.get()) != 0) throw std::bad_alloc();

  const std::array<nghttp2_settings_entry, 4> entries{{
      {NGHTTP2_SETTINGS_ENABLE_PUSH, 0},
      // The service opens no streams towards levee.
      {NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, 0},
      {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, settings.initial_window_size},
      {NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE, settings.max_header_list_size},
  }};
  // nghttp2 writes the client preface ahead of this first SETTINGS frame.
  nghttp2_submit_settings(session_, NGHTTP2_FLAG_NONE, entries.data(), entries.size());
  nghttp2_session_set_local_window_size(session_, NGHTTP2_FLAG_NONE, 0,
                                        static_cast<std::int32_t>(settings.connection_window_size));
}

ClientConnection::~ClientConnection() { nghttp2_session_del(session_); }

ClientConnection::Stream* ClientConnection::find(std::int32_t stream) {
  const auto found = streams_.find(stream);
  return found == streams_.end() ? nullptr : found->second.get();
}

void ClientConnection::push(ClientEvent event) {
  if (const auto* data = std::get_if<ResponseData>(&event)) event_bytes_ += data->bytes.size();
  if (const auto* headers = std::get_if<ResponseHeaders>(&event)) {
    for (const Field& field : headers->fields) event_bytes_ += field.name.size() + field.value.size();
  }
  if (const auto* trailers = std::get_if<ResponseTrailers>(&event)) {
    for (const Field& field : trailers->fields) event_bytes_ += field.name.size() + field.value.size();
  }
  events_.push_back(std::move(event));
}

std::vector<ClientEvent> ClientConnection::take_events() {
  event_bytes_ = 0;
  return std::exchange(events_, {});
}

void ClientConnection::fail(std::uint32_t code) {
  if (failed_) return;
  failed_ = true;
  nghttp2_session_terminate_session(session_, code);
  release_streams(code);
}

void ClientConnection::release_streams(std::uint32_t code) {
  // No stream will be answered any more: the callers are told now, and hold nothing for them.
  for (const auto& [id, stream] : streams_) push(StreamClosed{id, code});
  streams_.clear();
}

void ClientConnection::close(std::uint32_t code) { fail(code); }

void ClientConnection::release_streams_if_unreadable() {
  // nghttp2 reads no more: it ended the session itself on a connection error (a frame out of
  // place, a bad preface; its GOAWAY is queued already), or the service's GOAWAY left no
  // stream open. Either way no stream still here can finish, and nothing more is sent.
  if (failed_ || nghttp2_session_want_read(session_) != 0) return;
  failed_ = true;
  release_streams(error_code::protocol_error);
}

void ClientConnection::feed(std::string_view bytes, policy::TimePoint now) {
  feed(std::span(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()), now);
}

void ClientConnection::feed(std::span<const std::uint8_t> bytes, policy::TimePoint now) {
  if (!bytes.empty()) last_activity_ = now;
  while (!bytes.empty() && !failed_) {
    const std::span<const std::uint8_t> slice = bytes.first(std::min(bytes.size(), input_slice));
    const ssize_t read = nghttp2_session_mem_recv(session_, slice.data(), slice.size());
    if (read < 0) {
      fail(read == NGHTTP2_ERR_NOMEM || read == NGHTTP2_ERR_CALLBACK_FAILURE ? error_code::internal_error
                                                                            : error_code::protocol_error);
      break;
    }
    bytes = bytes.subspan(slice.size());
  }
  release_streams_if_unreadable();
}

std::span<const std::uint8_t> ClientConnection::pending_output(policy::TimePoint) {
  while (output_.size() - output_offset_ < output_high_water) {
    const std::uint8_t* data = nullptr;
    const ssize_t n = nghttp2_session_mem_send(session_, &data);
    if (n < 0) {
      fail(error_code::internal_error);
      break;
    }
    if (n == 0) break;
    output_.append(reinterpret_cast<const char*>(data), static_cast<std::size_t>(n));
  }
  release_streams_if_unreadable();
  return {reinterpret_cast<const std::uint8_t*>(output_.data()) + output_offset_, output_.size() - output_offset_};
}

void ClientConnection::consume_output(std::size_t n) {
  output_offset_ = std::min(output_offset_ + n, output_.size());
  if (output_offset_ == output_.size()) {
    output_.clear();
    output_offset_ = 0;
  }
}

std::optional<std::int32_t> ClientConnection::submit_request(const RequestHead& head, bool end_stream,
                                                             policy::TimePoint now) {
  if (!can_open_stream()) return std::nullopt;
  std::vector<Field> fields{{":method", head.method}, {":scheme", head.scheme}};
  if (!head.authority.empty()) fields.push_back({":authority", head.authority});
  fields.push_back({":path", head.path});
  for (Field& field : outgoing_request_fields(head.headers)) fields.push_back(std::move(field));
  std::vector<nghttp2_nv> nva = to_nva(fields);
  nghttp2_data_provider provider{};
  provider.read_callback = ClientCallbacks::read_body;
  const std::int32_t id =
      nghttp2_submit_request(session_, nullptr, nva.data(), nva.size(), end_stream ? nullptr : &provider, nullptr);
  if (id < 0) return std::nullopt;
  auto stream = std::make_unique<Stream>();
  stream->id = id;
  stream->body_ended = end_stream;
  streams_[id] = std::move(stream);
  last_activity_ = now;
  return id;
}

bool ClientConnection::send_body(std::int32_t id, std::string_view bytes, bool end_stream) {
  Stream* stream = find(id);
  if (stream == nullptr || stream->body_ended || failed_) return false;
  stream->body.append(bytes);
  stream->body_ended = end_stream;
  if (stream->deferred && (!bytes.empty() || end_stream)) {
    stream->deferred = false;
    nghttp2_session_resume_data(session_, id);
  }
  return true;
}

bool ClientConnection::submit_trailers(std::int32_t id, const std::vector<Field>& trailers) {
  Stream* stream = find(id);
  if (stream == nullptr || stream->body_ended || failed_) return false;
  stream->trailers = outgoing_fields(trailers);
  return send_body(id, {}, true);
}

void ClientConnection::reset_stream(std::int32_t id, std::uint32_t code) {
  if (find(id) != nullptr && !failed_) nghttp2_submit_rst_stream(session_, NGHTTP2_FLAG_NONE, id, code);
}

void ClientConnection::consume_response_body(std::int32_t id, std::size_t n) {
  Stream* stream = find(id);
  if (stream == nullptr) return;  // closed: its bytes went back to the connection window then
  n = std::min(n, stream->unconsumed);
  stream->unconsumed -= n;
  if (n > 0) nghttp2_session_consume(session_, id, n);
}

std::size_t ClientConnection::available_streams() const {
  if (!is_usable()) return 0;
  // Until the service's SETTINGS arrive, nghttp2 assumes 100 (RFC 9113's recommended least).
  const std::size_t limit = std::min(
      nghttp2_session_get_remote_settings(session_, NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS),
      settings_.max_concurrent_streams);
  return streams_.size() >= limit ? 0 : limit - streams_.size();
}

bool ClientConnection::is_usable() const {
  // False once a GOAWAY was sent or received, or stream ids ran out.
  return !failed_ && nghttp2_session_check_request_allowed(session_) != 0;
}

bool ClientConnection::should_close() const {
  if (output_offset_ < output_.size()) return false;
  return nghttp2_session_want_read(session_) == 0 && nghttp2_session_want_write(session_) == 0;
}

std::size_t ClientConnection::queued_request_bytes(std::int32_t stream) const {
  const auto found = streams_.find(stream);
  return found == streams_.end() ? 0 : found->second->queued();
}

std::size_t ClientConnection::held_bytes() const {
  std::size_t held = event_bytes_ + (output_.size() - output_offset_);
  for (const auto& [id, stream] : streams_) {
    held += stream->body.size();
    for (const Field& field : stream->fields) held += field.name.size() + field.value.size();
  }
  return held;
}

}  // namespace levee::h2
