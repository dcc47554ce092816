#pragma once
// The client side of one HTTP/2 connection to an upstream service, without I/O (sans-I/O):
// bytes in, bytes out, events out as data, calls in to open and feed streams. The mirror of
// ServerConnection, for gRPC and other HTTP/2-only services (docs/http2.md). nghttp2 does the
// framing, HPACK, flow control and most response checks; this class adds:
//
// - a stream is opened only while the service's SETTINGS_MAX_CONCURRENT_STREAMS (and levee's
//   own cap) leaves a slot: past it submit_request refuses, so the pool opens another
//   connection instead of nghttp2 queueing requests unseen;
// - flow control at the caller's pace: response body bytes reopen the service's windows only
//   when the caller hands them back (consume_response_body), so a slow client makes levee
//   hold a bounded amount (initial_window_size per stream, connection_window_size in all);
// - request bodies pushed as they arrive (send_body), their queue per stream exposed
//   (queued_request_bytes) so the caller stops reading its client at a high-water mark;
// - response checks nghttp2 leaves to the application: the header list's size, and a final
//   status between 200 and 599;
// - request headers from an HTTP/1.1 client made fit for HTTP/2 (lower case, connection-
//   specific fields dropped, Host folded into :authority, `te: trailers` kept for gRPC).
//
// The caller's loop is ServerConnection's: feed(), take_events(), pending_output() /
// consume_output(); close the socket when should_close(). Not thread-safe.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "proxy/h2/client_events.h"
#include "proxy/h2/client_settings.h"
#include "proxy/policy/clock.h"

struct nghttp2_session;

namespace levee::h2 {

// A request's head: the four pseudo-header fields and the regular fields.
struct RequestHead {
  std::string method;
  std::string scheme = "http";
  std::string authority;
  std::string path;
  std::vector<Field> headers;
};

class ClientConnection {
 public:
  // Queues the connection preface and levee's SETTINGS as the first output.
  ClientConnection(const Http2ClientSettings& settings, policy::TimePoint now);
  ~ClientConnection();
  ClientConnection(const ClientConnection&) = delete;
  ClientConnection& operator=(const ClientConnection&) = delete;

  // Bytes read from the service. After a fatal protocol error further bytes are dropped.
  void feed(std::span<const std::uint8_t> bytes, policy::TimePoint now);
  void feed(std::string_view bytes, policy::TimePoint now);

  // What happened since the last call, in order. Writing adds events too (a stream levee
  // resets closes once its RST_STREAM is out): take them after pending_output() as well.
  std::vector<ClientEvent> take_events();

  // Bytes to write to the service; at most about 64 KiB at a time. Valid until the next
  // non-const call.
  std::span<const std::uint8_t> pending_output(policy::TimePoint now);
  void consume_output(std::size_t n);

  // Opens a stream; nullopt when no stream can be opened now (see can_open_stream). Without
  // end_stream the body follows with send_body (and perhaps submit_trailers).
  std::optional<std::int32_t> submit_request(const RequestHead& head, bool end_stream, policy::TimePoint now);
  // Request body bytes, queued for the stream and sent as the service's windows allow. The
  // calls return false when the stream is not open for them, so the caller drops its side.
  bool send_body(std::int32_t stream, std::string_view bytes, bool end_stream);
  bool submit_trailers(std::int32_t stream, const std::vector<Field>& trailers);
  // RST_STREAM from levee (the client went away, or the request's deadline passed).
  void reset_stream(std::int32_t stream, std::uint32_t code);
  // The caller has passed on n response body bytes of the stream: the service may send n more.
  void consume_response_body(std::int32_t stream, std::size_t n);
  // Ends the connection: GOAWAY with `code`; streams still open are closed.
  void close(std::uint32_t code);

  // A new stream may be opened now: usable, and a slot free under the service's limit and
  // levee's cap.
  bool can_open_stream() const { return available_streams() > 0; }
  std::size_t available_streams() const;
  // New streams may be opened on this connection, now or once slots free: false after a
  // GOAWAY either way or a fatal error. Open streams may still finish.
  bool is_usable() const;
  // Nothing more to read or to write: close the socket.
  bool should_close() const;
  // When the connection last read bytes or opened a stream, for the pool's idle timeout.
  policy::TimePoint last_activity() const { return last_activity_; }

  std::size_t open_streams() const { return streams_.size(); }
  // Request body bytes queued for the stream and not yet sent: the caller's high-water mark.
  std::size_t queued_request_bytes(std::int32_t stream) const;
  // Bytes held: events not yet taken, queued request bodies, unwritten output.
  std::size_t held_bytes() const;

 private:
  struct Stream;
  friend struct ClientCallbacks;

  Stream* find(std::int32_t stream);
  void push(ClientEvent event);
  // Stops reading: GOAWAY with `code`, and every stream still open closed (StreamClosed).
  void fail(std::uint32_t code);
  void release_streams(std::uint32_t code);
  void release_streams_if_unreadable();

  nghttp2_session* session_ = nullptr;
  Http2ClientSettings settings_;
  policy::TimePoint last_activity_;
  std::unordered_map<std::int32_t, std::unique_ptr<Stream>> streams_;
  std::vector<ClientEvent> events_;
  std::size_t event_bytes_ = 0;
  std::string output_;
  std::size_t output_offset_ = 0;
  bool failed_ = false;  // a fatal protocol error, or close(): stop reading
};

}  // namespace levee::h2
