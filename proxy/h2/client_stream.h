#pragma once
// What a ClientConnection keeps per stream, from its request to its close. Internal to
// client_connection.cpp and client_callbacks.cpp.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "proxy/h2/client_connection.h"
#include "proxy/h2/events.h"

namespace levee::h2 {

struct ClientConnection::Stream {
  std::int32_t id = 0;
  // The header block being received: the response's, then a trailer block's.
  std::vector<Field> fields;
  std::size_t header_list_bytes = 0;  // of the block being received, as RFC 9113 counts it
  unsigned status = 0;                // of the block being received
  bool final_response = false;        // ResponseHeaders was emitted
  // The request body queued for the data provider: body[body_offset..] is still to send.
  std::string body;
  std::size_t body_offset = 0;
  bool body_ended = true;  // until submit_request opens a stream with a body to come
  bool deferred = false;   // the data provider said "nothing yet": resume on new bytes
  std::optional<std::vector<Field>> trailers;
  // Response body bytes handed to the caller and not yet given back (consume_response_body).
  std::size_t unconsumed = 0;

  std::size_t queued() const { return body.size() - body_offset; }
};

}  // namespace levee::h2
