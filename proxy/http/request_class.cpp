#include "proxy/http/request_class.h"

#include <algorithm>

#include "proxy/config/header_duration.h"
#include "proxy/policy/grpc_status.h"
#include "proxy/policy/grpc_timeout.h"

namespace levee::http {
namespace {

std::optional<std::string_view> header(const Fields& headers, const std::string& name) {
  if (name.empty()) return std::nullopt;
  const auto it = headers.find(name);
  if (it == headers.end()) return std::nullopt;
  return std::string_view(it->value());
}

}  // namespace

RequestClass classify_request(const Fields& headers, const config::RouteConfig& route,
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
  // A gRPC call states the same two things in its protocol's own fields, whatever
  // `request_headers` names; they are read under the same rules (they can only make the call
  // cheaper to shed or shorten its wait). grpc-previous-rpc-attempts is set by gRPC's own retry
  // and hedging on every attempt after the first.
  const auto grpc = headers.find(boost::beast::http::field::content_type);
  if (grpc != headers.end() && policy::is_grpc_content_type(grpc->value())) {
    const auto attempts = headers.find("grpc-previous-rpc-attempts");
    if (attempts != headers.end() && !attempts->value().empty() && attempts->value() != "0") result.is_retry = true;
    const auto timeout = headers.find("grpc-timeout");
    if (timeout != headers.end()) {
      if (auto patience = policy::parse_grpc_timeout(timeout->value())) {
        // Capped as a deadline header is, so arrival + patience cannot overflow.
        patience = std::min(*patience, config::max_header_duration);
        result.patience = result.patience ? std::min(*result.patience, *patience) : *patience;
      }
    }
  }
  if (route.timeout) result.patience = result.patience ? std::min(*result.patience, *route.timeout) : *route.timeout;
  return result;
}

void restate_grpc_timeout(Fields& headers, policy::TimePoint deadline, policy::TimePoint now) {
  const auto it = headers.find("grpc-timeout");
  if (it == headers.end()) return;
  headers.set(it->name_string(), policy::format_grpc_timeout(deadline - now));
}

}  // namespace levee::http
