#pragma once
// gRPC's answer for what levee decided: a shed or a local failure becomes a grpc-status, since
// gRPC clients read the status in the trailers (or a trailers-only response), not the HTTP one
// (docs/http2.md, gRPC). Pure rules; the HTTP layer builds the response from them.

#include <cstdint>
#include <string>
#include <string_view>

#include "proxy/policy/clock.h"
#include "proxy/policy/shed_reason.h"

namespace levee::policy {

// The codes of gRPC's status (grpc/doc/statuscodes.md) that levee sends or reads.
enum class GrpcStatus : std::uint8_t {
  ok = 0,
  cancelled = 1,
  unknown = 2,
  deadline_exceeded = 4,
  permission_denied = 7,
  resource_exhausted = 8,
  unimplemented = 12,
  internal_error = 13,  // INTERNAL
  unavailable = 14,
  unauthenticated = 16,
};

// Why levee answered a request itself, when it is not a shed.
enum class LocalFailure : std::uint8_t {
  upstream_unavailable,  // no connection to the service, or it failed before answering (502/503)
  upstream_timeout,      // the service did not answer in the route's time (504)
  draining,              // levee is shutting down
  grpc_unsupported,      // the route cannot carry gRPC (no HTTP/2 to its service)
};

// Sheds are RESOURCE_EXHAUSTED (the client's retry policy decides, helped by
// grpc-retry-pushback-ms), but a draining group is UNAVAILABLE (retry elsewhere at once), a
// passed deadline is DEADLINE_EXCEEDED (no retry helps) and a client that left is CANCELLED.
GrpcStatus grpc_status_for(ShedReason reason);
GrpcStatus grpc_status_for(LocalFailure failure);

// The grpc-status a gRPC client derives from an HTTP status when a response carries none
// (grpc/doc/http-grpc-status-mapping.md): what levee passes on when a service (or a proxy in
// front of it) answers a gRPC call with a plain HTTP error.
GrpcStatus grpc_status_for_http(unsigned http_status);

// The grpc-status field's value: the code in decimal.
std::string grpc_status_value(GrpcStatus status);

// The grpc-message field's value: `text` percent-encoded as the gRPC spec asks (bytes outside
// printable ASCII, and '%', as %XX), so any text is a valid field value.
std::string grpc_message_value(std::string_view text);

// The grpc-retry-pushback-ms field's value for a wait: whole milliseconds, rounded up so the
// client does not come back early; a negative wait is 0.
std::string grpc_retry_pushback_value(Duration wait);
// The value that asks the client not to retry at all (the spec: any negative number).
inline constexpr std::string_view grpc_no_retry_pushback = "-1";

// A content-type naming gRPC: application/grpc, perhaps with +proto, +json, ... or parameters.
bool is_grpc_content_type(std::string_view content_type);

}  // namespace levee::policy
