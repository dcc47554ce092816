#pragma once
// The immutable runtime a configuration becomes: one http::Route per configured route (its
// admission gate, flow key rule, retry allowance and metrics) and the router over them. Built
// on the control thread at start and on every reload or log reopen; workers only read it.

#include <memory>
#include <vector>

#include "proxy/config/config.h"
#include "proxy/http/access_log.h"
#include "proxy/http/admission_gate.h"
#include "proxy/http/proxy_state.h"
#include "proxy/observability/metrics.h"
#include "proxy/policy/clock.h"
#include "proxy/policy/flow_hash.h"

namespace levee {

// The key of the flow hash (policy/flow_hash.h): random per process and never shown, so no
// client can choose a key whose flow id is another tenant's.
policy::FlowHashKey random_flow_hash_key();

// `gates` has one entry per route (null: no admission). `previous` is the runtime being
// replaced (null at start): retry allowances carry over from it. `tls`: the listener's SSL
// context built from config->listener.tls (http/tls_context.h), null for plain HTTP.
std::shared_ptr<const http::ProxyRuntime> build_runtime(std::shared_ptr<const config::Config> config,
                                                        std::vector<std::shared_ptr<http::AdmissionGate>> gates,
                                                        const observability::ProxyMetrics& metrics,
                                                        const policy::FlowHashKey& flow_secret,
                                                        const http::ProxyRuntime* previous, policy::TimePoint now,
                                                        std::shared_ptr<const http::AccessLog> access_log,
                                                        std::shared_ptr<boost::asio::ssl::context> tls = nullptr);

}  // namespace levee
