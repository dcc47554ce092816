#pragma once
// The overload answer a gRPC client understands. gRPC runs over HTTP/2 with its status in
// grpc-status, and its clients read HTTP statuses poorly, so a shed gRPC call is answered
// "trailers-only": HTTP 200, content-type application/grpc and the status fields in one
// HEADERS frame. The mapping (docs/http2.md):
//
//   shed for load (over_limit, queue_full, ..., priority)  8 RESOURCE_EXHAUSTED: the client's
//                                                          retry policy decides, and waits
//                                                          grpc-retry-pushback-ms when it retries
//   draining, or shed answered 503 by config               14 UNAVAILABLE: retry elsewhere
//   deadline                                               4 DEADLINE_EXCEEDED: no retry helps
//
// grpc-retry-pushback-ms carries the same wait as Retry-After.

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "proxy/policy/shed_reason.h"

namespace levee::policy {

namespace grpc_code {
inline constexpr unsigned deadline_exceeded = 4;
inline constexpr unsigned resource_exhausted = 8;
inline constexpr unsigned unavailable = 14;
}  // namespace grpc_code

// True for application/grpc and its variants (application/grpc+proto, ...), any case.
bool is_grpc_content_type(std::string_view content_type);

struct GrpcShedAnswer {
  unsigned status = grpc_code::resource_exhausted;  // grpc-status
  std::string message;                              // grpc-message (percent-encoded already)
  std::int64_t pushback_ms = 0;                     // grpc-retry-pushback-ms
};

// `http_status`: what an HTTP/1.1 caller would get for this shed (429, or 503 when configured
// or draining); `retry_after`: the wait its Retry-After says.
GrpcShedAnswer grpc_shed_answer(ShedReason reason, unsigned http_status, std::chrono::milliseconds retry_after);

}  // namespace levee::policy
