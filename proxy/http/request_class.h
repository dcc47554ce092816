#pragma once
// What levee reads from a request to decide about it under overload: its priority class,
// whether it is a client retry, and how long its caller is still willing to wait.
//
// Header names come from config (`request_headers:`); an empty name turns that signal off.
// The route supplies the default class and caps the caller's patience with its timeout. A gRPC
// call (content-type application/grpc*) also states its deadline in `grpc-timeout` and its
// retries in `grpc-previous-rpc-attempts`; both are read whatever the config names.
//
// Every signal here comes from the client, so none may buy capacity (client_trust.h):
// - priority: read after apply_client_trust, which leaves a raise above the route's class only
//   when the sender is trusted; lowering it only makes the request cheaper to shed.
// - retry marker: marks the request as a retry, which is shed first and spends the retry
//   budget; leaving it out makes a request a first attempt, which every client can be anyway.
// - deadline: can only shorten the wait (it is capped by the route's timeout, the queue's
//   max_wait still applies, and it never orders the queue); a huge value is capped
//   (header_duration.h), so it cannot wrap around.
// - idempotency key (read by the retrying forwarder): makes a POST as retryable as a GET, never
//   more; every retry levee makes is paid from the route's retry budget.

#include <boost/beast/http/fields.hpp>

#include <optional>

#include "proxy/config/config.h"
#include "proxy/http/field_pool.h"
#include "proxy/policy/clock.h"
#include "proxy/policy/priority.h"

namespace levee::http {

struct RequestClass {
  policy::Priority priority = policy::Priority::normal;
  bool is_retry = false;
  std::optional<policy::Duration> patience;  // from now; none: only the queue's max_wait applies
};

RequestClass classify_request(const Fields& headers, const config::RouteConfig& route,
                              const config::RequestHeadersConfig& names);

// A gRPC call's grpc-timeout, restated for the service as what is left of the caller's
// `deadline` at `now` (after its wait in levee's queue), so the service does not work for a
// caller that has already given up. A request without the field is left as it is.
void restate_grpc_timeout(Fields& headers, policy::TimePoint deadline, policy::TimePoint now);

}  // namespace levee::http
