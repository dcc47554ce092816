#pragma once
// What one HTTP/2 server connection advertises and enforces: the SETTINGS it sends, its flow
// control windows, and the abuse limits (policy/h2_abuse.h). Plain data, read from the
// listener's `http2:` block by the config loader; lives here, with the code that reads it.

#include <cstdint>

#include "proxy/policy/h2_abuse.h"

namespace levee::h2 {

struct Http2Settings {
  // SETTINGS_MAX_CONCURRENT_STREAMS. 100 is what RFC 9113 recommends as the least a server
  // should allow, and what most servers advertise; a stream past it is refused (REFUSED_STREAM,
  // safe for the client to retry), so it bounds the streams one connection can hold.
  std::uint32_t max_concurrent_streams = 100;
  // SETTINGS_INITIAL_WINDOW_SIZE: request body bytes a client may send on one stream before
  // levee has passed them on. With connection_window_size it bounds the request body bytes a
  // connection can make levee hold, whatever the service's pace.
  std::uint32_t initial_window_size = 64 * 1024;
  // The connection's receive window: request body bytes on all streams together. 1 MiB keeps
  // a fast upload going over a long-distance link and bounds memory per connection.
  std::uint32_t connection_window_size = 1024 * 1024;
  // SETTINGS_MAX_HEADER_LIST_SIZE, enforced on the decoded list (each field's name and value
  // plus 32 bytes, as RFC 9113 counts it): past it the stream is answered 431. Same default
  // as listener.max_header_bytes for HTTP/1.1.
  std::uint32_t max_header_list_size = 64 * 1024;
  policy::H2AbuseSettings abuse;

  friend bool operator==(const Http2Settings&, const Http2Settings&) = default;
};

}  // namespace levee::h2
