#include "proxy/policy/grpc_status.h"

#include <chrono>

#include "proxy/policy/ascii.h"

namespace levee::policy {

GrpcStatus grpc_status_for(ShedReason reason) {
  switch (reason) {
    case ShedReason::draining: return GrpcStatus::unavailable;
    case ShedReason::deadline: return GrpcStatus::deadline_exceeded;
    case ShedReason::client_gone: return GrpcStatus::cancelled;
    case ShedReason::over_limit:
    case ShedReason::queue_full:
    case ShedReason::queue_timeout:
    case ShedReason::stale:
    case ShedReason::retry_shed:
    case ShedReason::retry_budget:
    case ShedReason::priority:
    case ShedReason::fair_share:
    case ShedReason::flow_cap:
      return GrpcStatus::resource_exhausted;
  }
  return GrpcStatus::resource_exhausted;
}

GrpcStatus grpc_status_for(LocalFailure failure) {
  switch (failure) {
    case LocalFailure::upstream_unavailable: return GrpcStatus::unavailable;
    // The call may have reached the service: UNAVAILABLE would invite a blind retry of a call
    // that perhaps ran; gRPC clients treat DEADLINE_EXCEEDED as "outcome unknown".
    case LocalFailure::upstream_timeout: return GrpcStatus::deadline_exceeded;
    case LocalFailure::draining: return GrpcStatus::unavailable;
    case LocalFailure::grpc_unsupported: return GrpcStatus::unimplemented;
  }
  return GrpcStatus::unknown;
}

GrpcStatus grpc_status_for_http(unsigned http_status) {
  switch (http_status) {
    case 400: return GrpcStatus::internal_error;
    case 401: return GrpcStatus::unauthenticated;
    case 403: return GrpcStatus::permission_denied;
    case 404: return GrpcStatus::unimplemented;
    case 429:
    case 502:
    case 503:
    case 504:
      return GrpcStatus::unavailable;
    default:
      return GrpcStatus::unknown;
  }
}

std::string grpc_status_value(GrpcStatus status) { return std::to_string(static_cast<unsigned>(status)); }

std::string grpc_message_value(std::string_view text) {
  constexpr std::string_view hex = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (const char ch : text) {
    const auto byte = static_cast<unsigned char>(ch);
    if (byte >= 0x20 && byte <= 0x7e && byte != '%') {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(hex[byte >> 4]);
      out.push_back(hex[byte & 0xf]);
    }
  }
  return out;
}

std::string grpc_retry_pushback_value(Duration wait) {
  if (wait <= Duration::zero()) return "0";
  return std::to_string(std::chrono::ceil<std::chrono::milliseconds>(wait).count());
}

bool is_grpc_content_type(std::string_view content_type) {
  constexpr std::string_view grpc = "application/grpc";
  content_type = trim_ows(content_type);
  if (content_type.size() < grpc.size() || !ascii_iequals(content_type.substr(0, grpc.size()), grpc)) return false;
  if (content_type.size() == grpc.size()) return true;
  const char next = content_type[grpc.size()];
  return next == '+' || next == ';' || next == ' ' || next == '\t';
}

}  // namespace levee::policy
