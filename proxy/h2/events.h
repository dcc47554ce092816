#pragma once
// What an HTTP/2 server connection tells the code above it, as data: the connection collects
// events while it reads the client's bytes, and the caller takes them after each feed(). Each
// names its stream, so the caller can hand it to that stream's request handler.

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

namespace levee::h2 {

// One header field as the client sent it (names are lower case in HTTP/2; pseudo-header
// fields such as ":method" come first).
struct Field {
  std::string name;
  std::string value;

  friend bool operator==(const Field&, const Field&) = default;
};

// A request stream's header block arrived whole and is a valid request (RFC 9113 8.3).
struct StreamOpened {
  std::int32_t stream = 0;
  std::vector<Field> fields;
  bool end_stream = false;  // no body follows
};

// A piece of a request body. The client may send more only after the caller hands bytes back
// with ServerConnection::consume_request_body (flow control).
struct RequestData {
  std::int32_t stream = 0;
  std::string bytes;
};

// The request is complete (END_STREAM); `trailers` holds a trailer block if one ended it.
struct RequestEnd {
  std::int32_t stream = 0;
  std::vector<Field> trailers;
};

// The client cancelled the stream (RST_STREAM): its caller is gone.
struct StreamReset {
  std::int32_t stream = 0;
  std::uint32_t error_code = 0;
};

// The stream is gone from the connection (answered, reset by either side, or refused): the
// caller drops what it holds for it. Comes last for every stream a StreamOpened named.
struct StreamClosed {
  std::int32_t stream = 0;
  std::uint32_t error_code = 0;
};

// The client is going away: streams above last_stream were not processed.
struct GoAwayReceived {
  std::int32_t last_stream = 0;
  std::uint32_t error_code = 0;
};

using Event = std::variant<StreamOpened, RequestData, RequestEnd, StreamReset, StreamClosed, GoAwayReceived>;

}  // namespace levee::h2
