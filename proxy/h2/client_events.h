#pragma once
// What an HTTP/2 client connection (to an upstream service) tells the code above it, as data,
// collected while it reads the service's bytes. Each names its stream, so the caller hands it
// to the request that opened the stream. Resets, closes and GOAWAY are the server side's
// events (events.h): they mean the same from either end.

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "proxy/h2/events.h"

namespace levee::h2 {

// The final response header block arrived whole and valid (interim 1xx blocks are dropped).
// `fields` holds the regular fields; the status is out of its pseudo-header.
struct ResponseHeaders {
  std::int32_t stream = 0;
  unsigned status = 0;
  std::vector<Field> fields;
  bool end_stream = false;  // no body follows
};

// A piece of a response body. The service may send more only after the caller hands bytes
// back with ClientConnection::consume_response_body (flow control).
struct ResponseData {
  std::int32_t stream = 0;
  std::string bytes;
};

// The response's trailer block (gRPC's grpc-status and grpc-message travel here); a
// ResponseEnd follows.
struct ResponseTrailers {
  std::int32_t stream = 0;
  std::vector<Field> fields;
};

// The response is complete (END_STREAM from the service). A stream that closes without one
// failed: StreamClosed's error code says how.
struct ResponseEnd {
  std::int32_t stream = 0;
};

using ClientEvent = std::variant<ResponseHeaders, ResponseData, ResponseTrailers, ResponseEnd, StreamReset,
                                 StreamClosed, GoAwayReceived>;

}  // namespace levee::h2
