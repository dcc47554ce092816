#pragma once
// An HTTP/2 request as the HTTP/1.1 request levee sends the service (the upstream side speaks
// HTTP/1.1): the request line from :method and :path, Host from :authority, the cookie fields
// joined into one with "; " (RFC 9113 8.2.3), and what means nothing in HTTP/1.1 dropped: the
// pseudo-headers, `te` (only "trailers", a hop-by-hop promise), connection-specific fields
// (nghttp2 refuses them anyway) and `expect` (an h2 client gets no 100 Continue from levee:
// its body is read before the request goes on). The body's framing is Content-Length, set
// from the body levee holds.

#include <cstdint>
#include <optional>
#include <string_view>
#include <string>
#include <vector>

#include "proxy/h2/events.h"

namespace levee::h2 {

// The header block, "\r\n\r\n" included. `body_length`: Content-Length to send (none: the
// request has no body). nullopt when :method is missing (nghttp2 never lets that through).
std::optional<std::string> http1_request_head(const std::vector<Field>& fields, std::optional<std::uint64_t> body_length);

// The value of the first field named `name` (lower case), or "".
std::string_view field_value(const std::vector<Field>& fields, std::string_view name);

}  // namespace levee::h2
