#pragma once
// What one HTTP/2 connection to an upstream service advertises and holds: plain data, like
// Http2Settings for the listener side. Windows bound the response bytes the service can make
// levee hold before the caller has passed them on to the client.

#include <cstdint>

namespace levee::h2 {

struct Http2ClientSettings {
  // Streams levee opens on one connection at most, whatever the service allows: the service's
  // SETTINGS_MAX_CONCURRENT_STREAMS lowers it, never raises it.
  std::uint32_t max_concurrent_streams = 100;
  // Response body bytes the service may send on one stream before levee has passed them on.
  std::uint32_t initial_window_size = 64 * 1024;
  // Response body bytes on all streams together: at most this much held per connection.
  std::uint32_t connection_window_size = 1024 * 1024;
  // A response (or trailer) header list larger than this, counted as RFC 9113 counts it, is
  // refused: the stream is reset and the caller answers 502.
  std::uint32_t max_header_list_size = 64 * 1024;

  friend bool operator==(const Http2ClientSettings&, const Http2ClientSettings&) = default;
};

}  // namespace levee::h2
