#include "proxy/http/request_class.h"

#include <algorithm>

#include "proxy/config/header_duration.h"

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
  if (route.timeout) result.patience = result.patience ? std::min(*result.patience, *route.timeout) : *route.timeout;
  return result;
}

}  // namespace levee::http
