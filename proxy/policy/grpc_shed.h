#pragma once
// The overload answer a gRPC client understands. gRPC runs over HTTP/2 with its status in
// grpc-status, and its clients read HTTP statuses poorly, so a shed gRPC call is answered
// "trailers-only": HTTP 200, content-type application/grpc and the status fields in one
// HEADERS frame. The codes are grpc_status_for (grpc_status.h), with one addition: where an
// HTTP/1.1 caller would get 503 (the group is configured to answer sheds with 503), the call
// gets 14 UNAVAILABLE, so the client may retry elsewhere at once, as a 503 invites.
// grpc-retry-pushback-ms carries the same wait as Retry-After.

#include <chrono>
#include <string>

#include "proxy/policy/grpc_status.h"
#include "proxy/policy/shed_reason.h"

namespace levee::policy {

struct GrpcShedAnswer {
  GrpcStatus status = GrpcStatus::resource_exhausted;  // grpc-status
  std::string message;                                  // grpc-message, percent-encoded already
  std::string pushback;                                 // grpc-retry-pushback-ms
};

// `http_status`: what an HTTP/1.1 caller would get for this shed (429, or 503 when configured
// or draining); `retry_after`: the wait its Retry-After says.
GrpcShedAnswer grpc_shed_answer(ShedReason reason, unsigned http_status, Duration retry_after);

}  // namespace levee::policy
