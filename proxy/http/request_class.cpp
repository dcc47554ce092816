#include "proxy/http/request_class.h"

#include <algorithm>

#include "proxy/config/header_duration.h"
#include "proxy/policy/grpc_status.h"
#include "proxy/policy/grpc_timeout.h"

namespace levee::http {
namespace {

std::optional<std::string_view> header(const boost::beast::http::fields& headers, const std::string& name) {
  if (name.empty()) return std::nullopt;
  const auto it = headers.find(name);
  if (it == headers.end()) return std::nullopt;
  return std::string_view(it->value());
}

}  // namespace

RequestClass classify_request(const boost::beast::http::fields& headers, const config::RouteConfig& route,
                              const config::RequestHeadersConfig& names) {
  RequestClass result;
  result.priority = route.priority;
  if (const auto word = header(headers, names.priority)) {
    if (const auto priority = policy::parse_priority(*word)) result.priority = *priority;
  }
  if (const auto attempt = header(headers, names.retry)) {
    // "Retry-Attempt: 0" (or an empty value) is a first attempt that announces the header.
    result.is_retry = !attempt->empty() && *attempt != "0";
  }
  if (const auto value = header(headers, names.deadline)) result.patience = config::parse_header_duration(*value);
  // A gRPC caller's deadline travels in grpc-timeout: read like the deadline header (the
  // shorter wins), capped the same way so that arrival + patience cannot overflow.
  if (policy::is_grpc_content_type(headers[boost::beast::http::field::content_type])) {
    if (const auto value = header(headers, "grpc-timeout")) {
      if (const auto timeout = policy::parse_grpc_timeout(*value)) {
        const policy::Duration capped = std::min<policy::Duration>(*timeout, config::max_header_duration);
        result.patience = result.patience ? std::min(*result.patience, capped) : capped;
      }
    }
  }
  if (route.timeout) result.patience = result.patience ? std::min(*result.patience, *route.timeout) : *route.timeout;
  return result;
}

}  // namespace levee::http
