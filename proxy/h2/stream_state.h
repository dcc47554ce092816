#pragma once
// What a ServerConnection keeps per stream, from its HEADERS to its close. Internal to
// server_connection.cpp and callbacks.cpp.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "proxy/h2/events.h"
#include "proxy/h2/server_connection.h"

namespace levee::h2 {

struct ServerConnection::Stream {
  std::int32_t id = 0;
  // The header block being received: the request's, then a trailer block's.
  std::vector<Field> fields;
  std::size_t header_list_bytes = 0;  // of the block being received, as RFC 9113 counts it
  bool header_too_large = false;
  bool announced = false;       // StreamOpened was emitted: the caller knows the stream
  bool refused = false;         // levee answered it locally; its body is dropped
  bool app_reset = false;       // levee reset it for its own reasons, not the client's
  bool response_started = false;
  // The response body queued for the data provider: body[body_offset..] is still to send.
  std::string body;
  std::size_t body_offset = 0;
  bool body_ended = false;
  bool deferred = false;        // the data provider said "nothing yet": resume on new bytes
  std::optional<std::vector<Field>> trailers;
  // Request body bytes handed to the caller and not yet given back (consume_request_body).
  std::size_t unconsumed = 0;

  std::size_t queued() const { return body.size() - body_offset; }
};

}  // namespace levee::h2
