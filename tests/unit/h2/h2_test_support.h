#pragma once
// Test helpers for the HTTP/2 connection: a real nghttp2 *client* session to talk to it, a
// shuttle that moves bytes both ways until both sides are quiet, and hand-built frames for
// the attacks a well-behaved client library would never send.

#include <nghttp2/nghttp2.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "proxy/h2/events.h"
#include "proxy/h2/server_connection.h"
#include "tests/fakes/manual_clock.h"

namespace levee::h2::testing {

// What the client saw of one stream.
struct ClientStream {
  std::vector<Field> headers;   // the response header block (":status" first)
  std::vector<Field> trailers;
  std::string body;
  bool closed = false;
  std::uint32_t close_code = 0;
  std::optional<std::uint32_t> reset_code;  // RST_STREAM from the server
};

class TestClient {
 public:
  TestClient();
  ~TestClient();
  TestClient(const TestClient&) = delete;
  TestClient& operator=(const TestClient&) = delete;

  // Submits a request; `body` (if any) is sent through a data provider after the header.
  std::int32_t request(const std::vector<Field>& headers, std::optional<std::string> body = std::nullopt);
  void reset(std::int32_t stream, std::uint32_t code);

  std::string take_output();
  void receive(std::span<const std::uint8_t> bytes);

  ClientStream& stream(std::int32_t id) { return streams_[id]; }
  std::optional<std::uint32_t> goaway_code;
  std::optional<std::int32_t> goaway_last_stream;
  nghttp2_session* session() { return session_; }

  // Internal to the callbacks.
  std::map<std::int32_t, ClientStream> streams_;
  std::map<std::int32_t, std::pair<std::string, std::size_t>> bodies_;  // to send, and how far

 private:
  nghttp2_session* session_ = nullptr;
};

// A GET with the usual pseudo-headers.
std::vector<Field> get(std::string_view path = "/", std::string_view authority = "example.test");
std::vector<Field> post(std::string_view path = "/upload", std::string_view authority = "example.test");

// Moves bytes client -> server -> client until neither has anything to say (bounded rounds).
// Events the server produced are appended to `events`.
void shuttle(TestClient& client, ServerConnection& server, levee::testing::ManualClock& clock,
             std::vector<Event>& events);

// Writes the server's pending output into the client (without client -> server traffic).
void deliver(ServerConnection& server, TestClient& client, levee::testing::ManualClock& clock);

template <typename T>
std::vector<T> events_of(const std::vector<Event>& events) {
  std::vector<T> out;
  for (const Event& e : events)
    if (const T* t = std::get_if<T>(&e)) out.push_back(*t);
  return out;
}

// Hand-built frames (RFC 9113 section 4.1).
std::string frame(std::uint8_t type, std::uint8_t flags, std::int32_t stream, std::string_view payload);
// The client preface followed by an empty SETTINGS frame.
std::string preface();
// An HPACK block (no Huffman, no indexing) holding `fields`.
std::string header_block(const std::vector<Field>& fields);
std::string headers_frame(std::int32_t stream, const std::vector<Field>& fields, bool end_stream);
std::string rst_frame(std::int32_t stream, std::uint32_t code);
std::string window_update_frame(std::int32_t stream, std::uint32_t increment);

// Frames the server wrote, for the attack tests that read its answer without a client.
struct RawFrame {
  std::uint8_t type = 0;
  std::uint8_t flags = 0;
  std::int32_t stream = 0;
  std::string payload;
};
std::vector<RawFrame> parse_frames(std::string_view bytes);
// The error code of the server's GOAWAY in `bytes`, if there is one.
std::optional<std::uint32_t> goaway_code(std::string_view bytes);
// Takes (and consumes) everything the server has to write.
std::string drain_output(ServerConnection& server, levee::testing::ManualClock& clock);

}  // namespace levee::h2::testing
