#pragma once
// The YAML schema of HTTP/2 on the listener: `listener.http2:`, onto Http2Config (and the
// h2::Http2Settings and policy::H2AbuseSettings inside it, one field per key).
//
//   listener:
//     http2:
//       enabled: false              # HTTP/2 on this listener (ALPN h2 once TLS is on)
//       h2c: false                  # cleartext HTTP/2 by prior knowledge (the client preface)
//       max_concurrent_streams: 100
//       initial_window_size: 64KiB
//       connection_window_size: 1MiB
//       max_header_list_size: 64KiB
//       abuse: {window: 1s, max_resets_per_window: 100, max_reset_ratio: 0.5, ...}
//
// Internal to the loader. The listener serves HTTP/2 with these (proxy/http/h2_session.h).

#include "proxy/config/config.h"
#include "proxy/config/map_reader.h"
#include "proxy/config/read_context.h"

namespace levee::config::detail {

void read_http2(MapReader& r, Http2Config& http2);

// After reading: the keys that only make sense together (h2c needs enabled; the connection
// window holds at least one stream's), and the abuse settings' own checks.
void finalize_http2(const Config& config, ReadContext& context);

}  // namespace levee::config::detail
