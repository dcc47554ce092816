#pragma once
// Header fields on their way out to the client. Internal to the h2 connection.

#include <vector>

#include <nghttp2/nghttp2.h>

#include "proxy/h2/events.h"

namespace levee::h2 {

// Names lower-cased (HTTP/2 requires it; a service speaking HTTP/1.1 may not), and fields that
// are connection-specific in HTTP/1.1 dropped (RFC 9113 8.2.2), as are pseudo-headers, which
// only levee sets.
std::vector<Field> outgoing_fields(const std::vector<Field>& fields);

// The same for a request levee sends to a service over HTTP/2, with two differences: Host is
// dropped (the caller puts it in :authority, RFC 9113 8.3.1), and `te: trailers` is kept, the
// one TE value HTTP/2 allows and the one gRPC services insist on.
std::vector<Field> outgoing_request_fields(const std::vector<Field>& fields);

// The fields as nghttp2 takes them; nghttp2 copies names and values, so `fields` only has to
// live through the submit call.
std::vector<nghttp2_nv> to_nva(std::vector<Field>& fields);

}  // namespace levee::h2
