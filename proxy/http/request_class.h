#pragma once
// What levee reads from a request to decide about it under overload: its priority class,
// whether it is a client retry, and how long its caller is still willing to wait.
//
// Header names come from config (`request_headers:`); an empty name turns that signal off.
// The route supplies the default class and caps the caller's patience with its timeout.
// Note for operators: a caller can raise its own class with the priority header, so at an
// edge facing untrusted clients, strip it before levee (inside a mesh it is a feature).

#include <boost/beast/http/fields.hpp>

#include <optional>

#include "proxy/config/config.h"
#include "proxy/policy/clock.h"
#include "proxy/policy/priority.h"

namespace levee::http {

struct RequestClass {
  policy::Priority priority = policy::Priority::normal;
  bool is_retry = false;
  std::optional<policy::Duration> patience;  // from now; none: only the queue's max_wait applies
};

RequestClass classify_request(const boost::beast::http::fields& headers, const config::RouteConfig& route,
                              const config::RequestHeadersConfig& names);

}  // namespace levee::http
