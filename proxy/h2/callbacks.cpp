#include "proxy/h2/callbacks.h"

#include <algorithm>
#include <cstring>

#include "proxy/h2/fields.h"
#include "proxy/h2/stream_state.h"

namespace levee::h2 {
namespace {

using policy::H2Signal;

ServerConnection& connection(void* user_data) { return *static_cast<ServerConnection*>(user_data); }

}  // namespace

// The frame's header is all nghttp2 has read: the place to count header block frames before
// their payload is buffered and decoded.
int Callbacks::on_begin_frame(nghttp2_session*, const nghttp2_frame_hd* hd, void* user_data) {
  ServerConnection& c = connection(user_data);
  if (hd->type == NGHTTP2_HEADERS) c.on_signal(H2Signal::header_block_begin, hd->length);
  if (hd->type == NGHTTP2_CONTINUATION) c.on_signal(H2Signal::continuation, hd->length);
  // Counted here: with RFC 7540 priorities off, nghttp2 drops PRIORITY frames unannounced.
  if (hd->type == NGHTTP2_PRIORITY) c.on_signal(H2Signal::priority);
  return 0;
}

// A header block starts on a stream: a new request (nghttp2 has checked the stream id and the
// concurrency limit), or a trailer block on a known one.
int Callbacks::on_begin_headers(nghttp2_session*, const nghttp2_frame* frame, void* user_data) {
  ServerConnection& c = connection(user_data);
  if (frame->hd.type != NGHTTP2_HEADERS || c.closing_) return 0;
  const std::int32_t id = frame->hd.stream_id;
  if (frame->headers.cat == NGHTTP2_HCAT_REQUEST) {
    auto stream = std::make_unique<ServerConnection::Stream>();
    stream->id = id;
    c.streams_[id] = std::move(stream);
    c.on_signal(H2Signal::stream_opened);
  } else if (ServerConnection::Stream* stream = c.find(id)) {
    stream->fields.clear();
    stream->header_list_bytes = 0;
    stream->header_too_large = false;
  }
  return 0;
}

// One decoded field. nghttp2 has checked it (RFC 9113 8.2: lower case, no connection-specific
// fields, te: trailers only, pseudo-headers valid and first); levee counts the list's size.
int Callbacks::on_header(nghttp2_session*, const nghttp2_frame* frame, const std::uint8_t* name,
                         std::size_t name_length, const std::uint8_t* value, std::size_t value_length, std::uint8_t,
                         void* user_data) {
  ServerConnection& c = connection(user_data);
  ServerConnection::Stream* stream = c.find(frame->hd.stream_id);
  if (stream == nullptr || stream->refused || stream->header_too_large) return 0;
  stream->header_list_bytes += name_length + value_length + 32;
  if (stream->header_list_bytes > c.settings_.max_header_list_size) {
    // Keep decoding (HPACK state is shared by the connection) but stop holding the fields.
    stream->header_too_large = true;
    std::vector<Field>().swap(stream->fields);
    return 0;
  }
  stream->fields.push_back(Field{std::string(reinterpret_cast<const char*>(name), name_length),
                                 std::string(reinterpret_cast<const char*>(value), value_length)});
  return 0;
}

int Callbacks::on_frame_recv(nghttp2_session* session, const nghttp2_frame* frame, void* user_data) {
  ServerConnection& c = connection(user_data);
  if (c.closing_) return 0;
  const std::int32_t id = frame->hd.stream_id;
  const bool end_stream = (frame->hd.flags & NGHTTP2_FLAG_END_STREAM) != 0;
  ServerConnection::Stream* stream = c.find(id);
  switch (frame->hd.type) {
    case NGHTTP2_HEADERS:
      if (stream == nullptr) break;
      if (frame->headers.cat == NGHTTP2_HCAT_REQUEST) {
        c.on_request_headers(*stream, end_stream);
      } else if (stream->announced && !stream->refused) {
        // A trailer block (nghttp2 accepts one only with END_STREAM).
        if (stream->header_too_large) {
          nghttp2_submit_rst_stream(session, NGHTTP2_FLAG_NONE, id, error_code::enhance_your_calm);
          break;
        }
        c.push(RequestEnd{id, std::move(stream->fields)});
      }
      break;
    case NGHTTP2_DATA:
      if (frame->hd.length - frame->data.padlen == 0 && !end_stream) c.on_signal(H2Signal::empty_data);
      if (end_stream && stream != nullptr && stream->announced && !stream->refused) c.push(RequestEnd{id, {}});
      break;
    case NGHTTP2_RST_STREAM:
      c.on_signal(H2Signal::stream_reset);
      if (stream != nullptr && stream->announced) c.push(StreamReset{id, frame->rst_stream.error_code});
      break;
    case NGHTTP2_SETTINGS:
      if ((frame->hd.flags & NGHTTP2_FLAG_ACK) == 0) c.on_signal(H2Signal::settings);
      break;
    case NGHTTP2_PING:
      if ((frame->hd.flags & NGHTTP2_FLAG_ACK) == 0) c.on_signal(H2Signal::ping);
      break;
    case NGHTTP2_WINDOW_UPDATE:
      c.on_signal(H2Signal::window_update);
      break;
    case NGHTTP2_GOAWAY:
      c.push(GoAwayReceived{frame->goaway.last_stream_id, frame->goaway.error_code});
      break;
    default:
      break;
  }
  return 0;
}

// Request body bytes: to the caller, who hands them back to reopen the window; a refused
// stream's (or an unknown one's) are dropped and their window reopened at once.
int Callbacks::on_data_chunk_recv(nghttp2_session* session, std::uint8_t, std::int32_t id,
                                  const std::uint8_t* data, std::size_t length, void* user_data) {
  ServerConnection& c = connection(user_data);
  ServerConnection::Stream* stream = c.find(id);
  if (stream == nullptr || !stream->announced || stream->refused || c.closing_) {
    nghttp2_session_consume(session, id, length);
    return 0;
  }
  stream->unconsumed += length;
  c.push(RequestData{id, std::string(reinterpret_cast<const char*>(data), length)});
  return 0;
}

int Callbacks::on_stream_close(nghttp2_session* session, std::int32_t id, std::uint32_t code, void* user_data) {
  ServerConnection& c = connection(user_data);
  const auto found = c.streams_.find(id);
  if (found == c.streams_.end()) return 0;
  // Bytes the caller still holds count against the connection's window only: give them back
  // now, since the stream cannot be consumed any more.
  if (found->second->unconsumed > 0) nghttp2_session_consume_connection(session, found->second->unconsumed);
  if (found->second->announced) c.push(StreamClosed{id, code});
  c.streams_.erase(found);
  return 0;
}

int Callbacks::on_frame_send(nghttp2_session*, const nghttp2_frame* frame, void* user_data) {
  ServerConnection& c = connection(user_data);
  switch (frame->hd.type) {
    case NGHTTP2_DATA:
      c.on_signal(H2Signal::data_sent);
      break;
    case NGHTTP2_RST_STREAM: {
      // A reset levee did not ask for is nghttp2 refusing what the client sent (a malformed
      // request, a stream past the concurrency limit): the client made the server reset it,
      // which costs as much as a reset of its own.
      const ServerConnection::Stream* stream = c.find(frame->hd.stream_id);
      if (stream == nullptr || !stream->app_reset) c.on_signal(H2Signal::stream_reset);
      break;
    }
    case NGHTTP2_GOAWAY:
      c.goaway_sent_ = frame->goaway.error_code;
      break;
    default:
      break;
  }
  return 0;
}

ssize_t Callbacks::read_body(nghttp2_session* session, std::int32_t id, std::uint8_t* buf, std::size_t length,
                             std::uint32_t* data_flags, nghttp2_data_source*, void* user_data) {
  ServerConnection& c = connection(user_data);
  ServerConnection::Stream* stream = c.find(id);
  if (stream == nullptr) return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
  const std::size_t n = std::min(length, stream->queued());
  if (n == 0 && !stream->body_ended) {
    stream->deferred = true;
    return NGHTTP2_ERR_DEFERRED;
  }
  std::memcpy(buf, stream->body.data() + stream->body_offset, n);
  stream->body_offset += n;
  // Drop what was sent once it is the larger part, so the buffer holds what is queued, not
  // everything the response ever carried.
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

void Callbacks::install(nghttp2_session_callbacks* callbacks) {
  nghttp2_session_callbacks_set_on_begin_frame_callback(callbacks, on_begin_frame);
  nghttp2_session_callbacks_set_on_begin_headers_callback(callbacks, on_begin_headers);
  nghttp2_session_callbacks_set_on_header_callback(callbacks, on_header);
  nghttp2_session_callbacks_set_on_frame_recv_callback(callbacks, on_frame_recv);
  nghttp2_session_callbacks_set_on_data_chunk_recv_callback(callbacks, on_data_chunk_recv);
  nghttp2_session_callbacks_set_on_stream_close_callback(callbacks, on_stream_close);
  nghttp2_session_callbacks_set_on_frame_send_callback(callbacks, on_frame_send);
}

}  // namespace levee::h2
