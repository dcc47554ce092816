#pragma once
// The server side of one HTTP/2 connection, without I/O (sans-I/O): bytes in, bytes out,
// events out as data, calls in to answer streams. nghttp2 does the framing, HPACK, flow
// control and most of RFC 9113's request checks; this class adds what levee needs on top:
//
// - request checks nghttp2 leaves to the application: the decoded header list's size (431),
//   and :authority and Host naming the same authority (RFC 9113 8.3.1);
// - flow control the service sets the pace of: request body bytes reopen the client's windows
//   only when the caller hands them back (consume_request_body), so a slow service holds a
//   bounded amount (initial_window_size per stream, connection_window_size in all);
// - response bodies pushed as they arrive (send_body), with nghttp2's data provider deferred
//   while the stream's buffer is empty and resumed when bytes come;
// - the abuse guard (policy/h2_abuse.h) fed from nghttp2's callbacks: once it names a rule,
//   the connection sends GOAWAY ENHANCE_YOUR_CALM, stops reading, and asks to be closed;
// - HTTP/1.1 connection-specific response headers (from the service) dropped on the way out.
//
// The caller's loop: feed() what the socket read, take_events() and act on them, write
// pending_output() and consume_output() what was written; close the socket when
// should_close(). Every call may add output. Not thread-safe: one connection, one thread.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "proxy/h2/events.h"
#include "proxy/h2/settings.h"
#include "proxy/policy/clock.h"
#include "proxy/policy/h2_abuse.h"

struct nghttp2_session;

namespace levee::h2 {

// RFC 9113 section 7 error codes used by the callers of this class.
namespace error_code {
inline constexpr std::uint32_t no_error = 0x0;
inline constexpr std::uint32_t protocol_error = 0x1;
inline constexpr std::uint32_t internal_error = 0x2;
inline constexpr std::uint32_t refused_stream = 0x7;
inline constexpr std::uint32_t cancel = 0x8;
inline constexpr std::uint32_t enhance_your_calm = 0xb;
}  // namespace error_code

// The client connection preface every HTTP/2 connection starts with (RFC 9113 3.4); a plain
// connection whose first bytes are these speaks h2c with prior knowledge.
inline constexpr std::string_view client_preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

class ServerConnection {
 public:
  // Queues the server's SETTINGS (and the connection window update) as the first output.
  ServerConnection(const Http2Settings& settings, policy::TimePoint now);
  ~ServerConnection();
  ServerConnection(const ServerConnection&) = delete;
  ServerConnection& operator=(const ServerConnection&) = delete;

  // Bytes read from the client, starting with its preface. Once the connection is closing
  // (a protocol error, abuse, or a GOAWAY sent and nothing left), further bytes are dropped.
  void feed(std::span<const std::uint8_t> bytes, policy::TimePoint now);
  void feed(std::string_view bytes, policy::TimePoint now);

  // What happened since the last call, in order.
  std::vector<Event> take_events();

  // Bytes to write to the client; at most about 64 KiB at a time, so output held here stays
  // bounded however much the streams have queued. Valid until the next non-const call.
  std::span<const std::uint8_t> pending_output(policy::TimePoint now);
  // The first n bytes of pending_output() were written.
  void consume_output(std::size_t n);

  // Answers: each returns false when the stream is not open to answer (closed, reset, or the
  // call is out of order), so the caller can drop its side of the stream.
  // The response header; headers' names are lower-cased and connection-specific ones dropped.
  bool submit_response(std::int32_t stream, unsigned status, const std::vector<Field>& headers, bool end_stream);
  // Body bytes, queued for the stream and sent as its flow control windows allow; end_stream
  // ends the response (unless trailers follow with submit_trailers).
  bool send_body(std::int32_t stream, std::string_view bytes, bool end_stream);
  // Trailers end the response after the queued body (gRPC's grpc-status travels here).
  bool submit_trailers(std::int32_t stream, const std::vector<Field>& trailers);
  // RST_STREAM from levee (the service failed mid-response, or the request was refused).
  void reset_stream(std::int32_t stream, std::uint32_t code);
  // The caller has passed on n request body bytes of the stream: the client may send n more.
  void consume_request_body(std::int32_t stream, std::size_t n);

  // Graceful drain, step 1: a GOAWAY announcing shutdown that still accepts streams in flight
  // (RFC 9113 6.8); step 2, a round trip later: goaway(no_error), after which no new stream
  // is accepted and the connection closes once the open ones are answered.
  void announce_shutdown();
  void goaway(std::uint32_t code);

  // Nothing more to read or to write: close the socket.
  bool should_close() const;
  // The rule the client broke, if any (the connection is then closing with ENHANCE_YOUR_CALM).
  std::optional<policy::H2Abuse> abuse() const { return guard_.tripped(); }
  // The error code of the GOAWAY levee sent, if it sent one.
  std::optional<std::uint32_t> goaway_sent() const { return goaway_sent_; }

  // What the connection holds, for tests and gauges: streams with state here, and bytes in
  // events not yet taken, queued response bodies and unwritten output.
  std::size_t open_streams() const { return streams_.size(); }
  std::size_t held_bytes() const;
  std::size_t queued_response_bytes(std::int32_t stream) const;

 private:
  struct Stream;
  friend struct Callbacks;

  Stream* find(std::int32_t stream);
  void push(Event event);
  // The guard named a rule: GOAWAY ENHANCE_YOUR_CALM, and stop reading.
  void on_signal(policy::H2Signal signal, std::uint64_t bytes = 0);
  void close_for(std::uint32_t code);
  // Once closing, no stream will be answered: their state is dropped (and the caller told with
  // StreamClosed). Called outside nghttp2's callbacks, which may hold a Stream&.
  void release_streams_if_closing();
  // A complete request header block: checks it, then StreamOpened or a refusal.
  void on_request_headers(Stream& stream, bool end_stream);
  // The stream's request is refused with a local answer (431); its body is not wanted.
  void refuse(Stream& stream, unsigned status);

  nghttp2_session* session_ = nullptr;
  Http2Settings settings_;
  policy::H2AbuseGuard guard_;
  policy::TimePoint now_;
  std::unordered_map<std::int32_t, std::unique_ptr<Stream>> streams_;
  std::vector<Event> events_;
  std::size_t event_bytes_ = 0;
  std::string output_;
  std::size_t output_offset_ = 0;
  bool closing_ = false;  // stop reading: a fatal protocol error or abuse
  std::optional<std::uint32_t> goaway_code_;  // why, once closing_
  std::optional<std::uint32_t> goaway_sent_;
};

}  // namespace levee::h2
