#pragma once
// nghttp2's callbacks for a ClientConnection: each turns one thing nghttp2 saw or could not
// send into an event for the caller or a stream state change. Internal.

#include <cstddef>
#include <cstdint>

#include <nghttp2/nghttp2.h>

namespace levee::h2 {

struct ClientCallbacks {
  static void install(nghttp2_session_callbacks* callbacks);
  // The data provider of every request body (a stream's queued bytes; deferred when empty).
  static ssize_t read_body(nghttp2_session* session, std::int32_t stream_id, std::uint8_t* buf, std::size_t length,
                           std::uint32_t* data_flags, nghttp2_data_source* source, void* user_data);

  static int on_begin_headers(nghttp2_session*, const nghttp2_frame* frame, void* user_data);
  static int on_header(nghttp2_session*, const nghttp2_frame* frame, const std::uint8_t* name, std::size_t name_length,
                       const std::uint8_t* value, std::size_t value_length, std::uint8_t flags, void* user_data);
  static int on_frame_recv(nghttp2_session* session, const nghttp2_frame* frame, void* user_data);
  static int on_data_chunk_recv(nghttp2_session* session, std::uint8_t flags, std::int32_t id,
                                const std::uint8_t* data, std::size_t length, void* user_data);
  static int on_stream_close(nghttp2_session* session, std::int32_t id, std::uint32_t code, void* user_data);
  static int on_frame_not_send(nghttp2_session*, const nghttp2_frame* frame, int error, void* user_data);
};

}  // namespace levee::h2
