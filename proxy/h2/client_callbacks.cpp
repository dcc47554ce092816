#include "proxy/h2/client_callbacks.h"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <string_view>
#include <utility>

#include "proxy/h2/client_stream.h"
#include "proxy/h2/fields.h"
#include "proxy/h2/server_connection.h"

namespace levee::h2 {
namespace {

ClientConnection& connection(void* user_data) { return *static_cast<ClientConnection*>(user_data); }

// nghttp2 has checked that :status is three digits and not 101; a status outside HTTP's
// classes (RFC 9110 15) is not one levee can pass on.
bool status_is_valid(unsigned status) { return status >= 100 && status <= 599; }

}  // namespace

// A header block starts on one of levee's streams: the response's (perhaps after an interim
// 1xx one), or its trailers.
int ClientCallbacks::on_begin_headers(nghttp2_session*, const nghttp2_frame* frame, void* user_data) {
  if (frame->hd.type != NGHTTP2_HEADERS) return 0;
  if (ClientConnection::Stream* stream = connection(user_data).find(frame->hd.stream_id)) {
    stream->fields.clear();
    stream->header_list_bytes = 0;
    stream->status = 0;
  }
  return 0;
}

// One decoded field. nghttp2 has checked it (RFC 9113 8.2: lower case, no connection-specific
// fields, pseudo-headers valid and first); levee counts the list's size and reads :status.
// A failure here makes nghttp2 reset the stream (INTERNAL_ERROR) and skip the rest of the block.
int ClientCallbacks::on_header(nghttp2_session*, const nghttp2_frame* frame, const std::uint8_t* name,
                               std::size_t name_length, const std::uint8_t* value, std::size_t value_length,
                               std::uint8_t, void* user_data) {
  ClientConnection& c = connection(user_data);
  ClientConnection::Stream* stream = c.find(frame->hd.stream_id);
  if (stream == nullptr) return 0;
  stream->header_list_bytes += name_length + value_length + 32;
  if (stream->header_list_bytes > c.settings_.max_header_list_size) {
    std::vector<Field>().swap(stream->fields);
    return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
  }
  const std::string_view field_name(reinterpret_cast<const char*>(name), name_length);
  const std::string_view field_value(reinterpret_cast<const char*>(value), value_length);
  if (field_name == ":status") {
    unsigned status = 0;
    const auto [end, error] = std::from_chars(field_value.data(), field_value.data() + field_value.size(), status);
    if (error != std::errc() || end != field_value.data() + field_value.size() || !status_is_valid(status))
      return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
    stream->status = status;
    return 0;
  }
  stream->fields.push_back(Field{std::string(field_name), std::string(field_value)});
  return 0;
}

int ClientCallbacks::on_frame_recv(nghttp2_session*, const nghttp2_frame* frame, void* user_data) {
  ClientConnection& c = connection(user_data);
  if (c.failed_) return 0;
  const std::int32_t id = frame->hd.stream_id;
  const bool end_stream = (frame->hd.flags & NGHTTP2_FLAG_END_STREAM) != 0;
  ClientConnection::Stream* stream = c.find(id);
  switch (frame->hd.type) {
    case NGHTTP2_HEADERS:
      if (stream == nullptr) break;
      if (!stream->final_response) {
        if (stream->status < 200) break;  // an interim response: nothing to pass on
        stream->final_response = true;
        c.push(ResponseHeaders{id, stream->status, std::exchange(stream->fields, {}), end_stream});
      } else {
        // A trailer block (nghttp2 accepts one only with END_STREAM and no pseudo-headers).
        c.push(ResponseTrailers{id, std::exchange(stream->fields, {})});
      }
      if (end_stream) c.push(ResponseEnd{id});
      break;
    case NGHTTP2_DATA:
      if (end_stream && stream != nullptr && stream->final_response) c.push(ResponseEnd{id});
      break;
    case NGHTTP2_RST_STREAM:
      if (stream != nullptr) c.push(StreamReset{id, frame->rst_stream.error_code});
      break;
    case NGHTTP2_GOAWAY:
      c.push(GoAwayReceived{frame->goaway.last_stream_id, frame->goaway.error_code});
      break;
    default:
      break;
  }
  return 0;
}

// Response body bytes: to the caller, who hands them back to reopen the window; an unknown
// stream's are dropped and their window reopened at once.
int ClientCallbacks::on_data_chunk_recv(nghttp2_session* session, std::uint8_t, std::int32_t id,
                                        const std::uint8_t* data, std::size_t length, void* user_data) {
  ClientConnection& c = connection(user_data);
  ClientConnection::Stream* stream = c.find(id);
  if (stream == nullptr || c.failed_) {
    nghttp2_session_consume(session, id, length);
    return 0;
  }
  stream->unconsumed += length;
  c.push(ResponseData{id, std::string(reinterpret_cast<const char*>(data), length)});
  return 0;
}

int ClientCallbacks::on_stream_close(nghttp2_session* session, std::int32_t id, std::uint32_t code,
                                     void* user_data) {
  ClientConnection& c = connection(user_data);
  const auto found = c.streams_.find(id);
  if (found == c.streams_.end()) return 0;
  // Bytes the caller still holds count against the connection's window only: give them back.
  if (found->second->unconsumed > 0) nghttp2_session_consume_connection(session, found->second->unconsumed);
  c.push(StreamClosed{id, code});
  c.streams_.erase(found);
  return 0;
}

// A request's HEADERS never left (a GOAWAY came first): the stream never opened, so nghttp2
// will not close it. The service did not see it: safe to retry elsewhere (REFUSED_STREAM).
int ClientCallbacks::on_frame_not_send(nghttp2_session*, const nghttp2_frame* frame, int, void* user_data) {
  ClientConnection& c = connection(user_data);
  if (frame->hd.type != NGHTTP2_HEADERS) return 0;
  const auto found = c.streams_.find(frame->hd.stream_id);
  if (found == c.streams_.end()) return 0;
  c.push(StreamClosed{frame->hd.stream_id, error_code::refused_stream});
  c.streams_.erase(found);
  return 0;
}

ssize_t ClientCallbacks::read_body(nghttp2_session* session, std::int32_t id, std::uint8_t* buf, std::size_t length,
                                   std::uint32_t* data_flags, nghttp2_data_source*, void* user_data) {
  ClientConnection::Stream* stream = connection(user_data).find(id);
  if (stream == nullptr) return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
  const std::size_t n = std::min(length, stream->queued());
  if (n == 0 && !stream->body_ended) {
    stream->deferred = true;
    return NGHTTP2_ERR_DEFERRED;
  }
  std::memcpy(buf, stream->body.data() + stream->body_offset, n);
  stream->body_offset += n;
  // Keep the buffer to what is queued, not everything the request ever carried.
  if (stream->body_offset == stream->body.size()) {
    stream->body.clear();
    stream->body_offset = 0;
  } else if (stream->body_offset > stream->body.size() / 2) {
    stream->body.erase(0, stream->body_offset);
    stream->body_offset = 0;
  }
  if (stream->queued() == 0 && stream->body_ended) {
    *data_flags |= NGHTTP2_DATA_FLAG_EOF;
    if (stream->trailers) {
      std::vector<nghttp2_nv> nva = to_nva(*stream->trailers);
      if (nghttp2_submit_trailer(session, id, nva.data(), nva.size()) == 0) *data_flags |= NGHTTP2_DATA_FLAG_NO_END_STREAM;
    }
  }
  return static_cast<ssize_t>(n);
}

void ClientCallbacks::install(nghttp2_session_callbacks* callbacks) {
  nghttp2_session_callbacks_set_on_begin_headers_callback(callbacks, on_begin_headers);
  nghttp2_session_callbacks_set_on_header_callback(callbacks, on_header);
  nghttp2_session_callbacks_set_on_frame_recv_callback(callbacks, on_frame_recv);
  nghttp2_session_callbacks_set_on_data_chunk_recv_callback(callbacks, on_data_chunk_recv);
  nghttp2_session_callbacks_set_on_stream_close_callback(callbacks, on_stream_close);
  nghttp2_session_callbacks_set_on_frame_not_send_callback(callbacks, on_frame_not_send);
}

}  // namespace levee::h2
