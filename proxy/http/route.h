#pragma once
// One route of a running configuration, as a request sees it: its settings, its admission
// gate, its retry allowance, its metrics and its upstream, in one object. The router's match
// is the request's only lookup; everything the pipeline needs about the route hangs off it.
// Built by the server for each ProxyRuntime (server.cpp, build_runtime) and shared read-only
// by every worker; the gate and the allowance are thread-safe and outlive reloads.

#include "proxy/config/config.h"
#include "proxy/http/admission_gate.h"
#include "proxy/http/flow_key.h"
#include "proxy/observability/metrics.h"
#include "proxy/policy/retry_rules.h"

#include <cstddef>
#include <memory>
#include <string>

namespace levee::http {

struct Route {
  std::size_t index = 0;                        // in Config::routes: the metric series' index
  const config::RouteConfig* config = nullptr;  // owned by the runtime's Config
  std::size_t upstream = 0;                     // in Config::upstreams and Worker::pools
  std::string upstream_authority;               // its "host:port", the Host of a request without one
  std::shared_ptr<AdmissionGate> gate;          // null: unguarded
  // How the gate's group names flows; null while its fairness is off (or the route is
  // unguarded), so requests then read no key. Shared by the routes of one group.
  std::shared_ptr<const FlowKeyRule> flow_key;
  // Null: the route does not retry. A reload hands the same object to the next runtime
  // (routes keep their index), so a budget survives it.
  std::shared_ptr<policy::RetryAllowance> retry;
  const observability::RouteMetrics* metrics = nullptr;

  const std::string& name() const { return config->name; }
};

}  // namespace levee::http
