#pragma once
// nghttp2's callbacks for a ServerConnection: each turns one thing nghttp2 saw or sent into
// an event for the caller, a stream state change, or a signal for the abuse guard. Internal.

#include <cstddef>
#include <cstdint>

#include <nghttp2/nghttp2.h>

namespace levee::h2 {

struct Callbacks {
  // Sets every callback a server connection uses.
  static void install(nghttp2_session_callbacks* callbacks);
  // The data provider of every response body (a stream's queued bytes; deferred when empty).
  static ssize_t read_body(nghttp2_session* session, std::int32_t stream_id, std::uint8_t* buf, std::size_t length,
                           std::uint32_t* data_flags, nghttp2_data_source* source, void* user_data);

  static int on_begin_frame(nghttp2_session*, const nghttp2_frame_hd* hd, void* user_data);
  static int on_begin_headers(nghttp2_session*, const nghttp2_frame* frame, void* user_data);
  static int on_header(nghttp2_session*, const nghttp2_frame* frame, const std::uint8_t* name, std::size_t name_length,
                       const std::uint8_t* value, std::size_t value_length, std::uint8_t flags, void* user_data);
  static int on_frame_recv(nghttp2_session* session, const nghttp2_frame* frame, void* user_data);
  static int on_data_chunk_recv(nghttp2_session* session, std::uint8_t flags, std::int32_t id,
                                const std::uint8_t* data, std::size_t length, void* user_data);
  static int on_stream_close(nghttp2_session* session, std::int32_t id, std::uint32_t code, void* user_data);
  static int on_frame_send(nghttp2_session*, const nghttp2_frame* frame, void* user_data);
};

}  // namespace levee::h2
