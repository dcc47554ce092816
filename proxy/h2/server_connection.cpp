#include "proxy/h2/server_connection.h"

#include <algorithm>
#include <array>
#include <new>
#include <utility>

#include <nghttp2/nghttp2.h>

#include "proxy/h2/callbacks.h"
#include "proxy/h2/stream_state.h"

namespace levee::h2 {
namespace {

// Output is pulled from nghttp2 up to this much at a time: enough for a few full DATA frames
// per write, and a bound on what the connection holds when the client reads slowly.
constexpr std::size_t output_high_water = 64 * 1024;
// Input is handed to nghttp2 in slices, so a connection found abusive stops being parsed within
// one slice of the rule it broke, however large the read that carried the attack.
constexpr std::size_t input_slice = 16 * 1024;

// The GOAWAY code for an error nghttp2 found fatal while reading.
std::uint32_t goaway_code_for(ssize_t error) {
  switch (error) {
    case NGHTTP2_ERR_FLOODED:  // too many SETTINGS/PING ACKs owed to a client that does not read
#ifdef LEVEE_NGHTTP2_HAS_MAX_CONTINUATIONS
    case NGHTTP2_ERR_TOO_MANY_CONTINUATIONS:
#endif
      return error_code::enhance_your_calm;
    case NGHTTP2_ERR_NOMEM:
    case NGHTTP2_ERR_CALLBACK_FAILURE:
      return error_code::internal_error;
    default:
      return error_code::protocol_error;
  }
}

struct CallbacksDeleter {
  void operator()(nghttp2_session_callbacks* c) const { nghttp2_session_callbacks_del(c); }
};
struct OptionDeleter {
  void operator()(nghttp2_option* o) const { nghttp2_option_del(o); }
};

}  // namespace

ServerConnection::ServerConnection(const Http2Settings& settings, policy::TimePoint now)
    : settings_(settings), guard_(settings.abuse), now_(now) {
  nghttp2_session_callbacks* raw_callbacks = nullptr;
  nghttp2_option* raw_option = nullptr;
  if (nghttp2_session_callbacks_new(&raw_callbacks) != 0 || nghttp2_option_new(&raw_option) != 0) {
    if (raw_callbacks != nullptr) nghttp2_session_callbacks_del(raw_callbacks);
    throw std::bad_alloc();
  }
  const std::unique_ptr<nghttp2_session_callbacks, CallbacksDeleter> callbacks(raw_callbacks);
  const std::unique_ptr<nghttp2_option, OptionDeleter> option(raw_option);
  Callbacks::install(callbacks.get());
  // The caller hands request body bytes back when it has passed them on: the window follows
  // the service's pace, not the socket's.
  nghttp2_option_set_no_auto_window_update(option.get(), 1);
  // Closed streams are not kept for the RFC 7540 priority tree levee does not use.
  nghttp2_option_set_no_closed_streams(option.get(), 1);
  // nghttp2's own limits stay as a backstop, looser than the guard's, so the guard (with its
  // ENHANCE_YOUR_CALM and its named rule) always speaks first.
  const policy::H2AbuseSettings& abuse = settings.abuse;
  const double window_seconds = policy::to_seconds(abuse.window);
  nghttp2_option_set_stream_reset_rate_limit(
      option.get(), 2ull * abuse.max_resets_per_window + 1,
      static_cast<std::uint64_t>(2.0 * abuse.max_resets_per_window / window_seconds) + 1);
#ifdef LEVEE_NGHTTP2_HAS_MAX_CONTINUATIONS
  nghttp2_option_set_max_continuations(option.get(), abuse.max_continuations + 1);
#endif
  if (nghttp2_session_server_new2(&session_, callbacks.get(), this, option.get()) != 0) throw std::bad_alloc();

  const std::array<nghttp2_settings_entry, 4> entries{{
      {NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, settings.max_concurrent_streams},
      {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, settings.initial_window_size},
      {NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE, settings.max_header_list_size},
      // No RFC 7540 priority tree: PRIORITY frames are read and ignored (and counted).
      {NGHTTP2_SETTINGS_NO_RFC7540_PRIORITIES, 1},
  }};
  nghttp2_submit_settings(session_, NGHTTP2_FLAG_NONE, entries.data(), entries.size());
  nghttp2_session_set_local_window_size(session_, NGHTTP2_FLAG_NONE, 0,
                                        static_cast<std::int32_t>(settings.connection_window_size));
}

ServerConnection::~ServerConnection() { nghttp2_session_del(session_); }

ServerConnection::Stream* ServerConnection::find(std::int32_t stream) {
  const auto found = streams_.find(stream);
  return found == streams_.end() ? nullptr : found->second.get();
}

void ServerConnection::push(Event event) {
  if (const auto* data = std::get_if<RequestData>(&event)) event_bytes_ += data->bytes.size();
  if (const auto* opened = std::get_if<StreamOpened>(&event)) {
    for (const Field& field : opened->fields) event_bytes_ += field.name.size() + field.value.size();
  }
  events_.push_back(std::move(event));
}

std::vector<Event> ServerConnection::take_events() {
  event_bytes_ = 0;
  return std::exchange(events_, {});
}

void ServerConnection::on_signal(policy::H2Signal signal, std::uint64_t bytes) {
  if (closing_) return;
  if (guard_.record(signal, now_, bytes)) close_for(error_code::enhance_your_calm);
}

void ServerConnection::close_for(std::uint32_t code) {
  if (closing_) return;
  closing_ = true;
  goaway_code_ = code;
  // GOAWAY naming the last stream levee processed; nghttp2 closes every stream and the session
  // once it is written.
  nghttp2_session_terminate_session(session_, code);
}

void ServerConnection::release_streams_if_closing() {
  if (!closing_ || streams_.empty()) return;
  for (const auto& [id, stream] : streams_) {
    if (stream->announced) push(StreamClosed{id, *goaway_code_});
  }
  streams_.clear();
}

void ServerConnection::feed(std::string_view bytes, policy::TimePoint now) {
  feed(std::span(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()), now);
}

void ServerConnection::feed(std::span<const std::uint8_t> bytes, policy::TimePoint now) {
  now_ = now;
  while (!bytes.empty() && !closing_) {
    const std::span<const std::uint8_t> slice = bytes.first(std::min(bytes.size(), input_slice));
    const ssize_t read = nghttp2_session_mem_recv(session_, slice.data(), slice.size());
    if (read < 0) {
      close_for(goaway_code_for(read));
      break;
    }
    bytes = bytes.subspan(slice.size());
  }
  release_streams_if_closing();
}

std::span<const std::uint8_t> ServerConnection::pending_output(policy::TimePoint now) {
  now_ = now;
  while (output_.size() - output_offset_ < output_high_water) {
    const std::uint8_t* data = nullptr;
    const ssize_t n = nghttp2_session_mem_send(session_, &data);
    if (n <= 0) break;  // nothing more, or a fatal error (should_close() then says so)
    output_.append(reinterpret_cast<const char*>(data), static_cast<std::size_t>(n));
  }
  release_streams_if_closing();
  return {reinterpret_cast<const std::uint8_t*>(output_.data()) + output_offset_, output_.size() - output_offset_};
}

void ServerConnection::consume_output(std::size_t n) {
  output_offset_ = std::min(output_offset_ + n, output_.size());
  if (output_offset_ == output_.size()) {
    output_.clear();
    output_offset_ = 0;
  }
}

bool ServerConnection::should_close() const {
  if (output_offset_ < output_.size()) return false;
  return nghttp2_session_want_read(session_) == 0 && nghttp2_session_want_write(session_) == 0;
}

std::size_t ServerConnection::held_bytes() const {
  std::size_t held = event_bytes_ + (output_.size() - output_offset_);
  for (const auto& [id, stream] : streams_) {
    held += stream->body.size();
    for (const Field& field : stream->fields) held += field.name.size() + field.value.size();
  }
  return held;
}

std::size_t ServerConnection::queued_response_bytes(std::int32_t stream) const {
  const auto found = streams_.find(stream);
  return found == streams_.end() ? 0 : found->second->queued();
}

}  // namespace levee::h2
