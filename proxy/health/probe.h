#pragma once
// One active health probe: GET `path` on a fresh connection to an upstream, passed on a 2xx
// status within `timeout` (connect, request and response header together; the body is not
// read). A fresh connection each time, never a pooled one: the probe asks "would a new
// request get through", and it must not take a slot of the pool's connection cap. An upstream
// with TLS is probed over TLS, with the pool's context and checks (upstream_tls.h).

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "proxy/http/upstream_tls.h"
#include "proxy/http/worker_executor.h"

#include <chrono>
#include <string>
#include <vector>

namespace levee::health {

struct ProbeTarget {
  std::vector<boost::asio::ip::tcp::endpoint> endpoints;  // resolved at start: no DNS here
  std::string host;                                       // Host header: the upstream's authority
  std::string path;
  std::chrono::nanoseconds timeout;
  http::UpstreamTls tls;  // no context: plain HTTP
};

struct ProbeResult {
  bool passed = false;
  std::string failure;  // why not, for /readyz and the log: "connect: Connection refused"
};

// Runs on the caller's executor; never throws for network errors.
http::Awaitable<ProbeResult> probe(const ProbeTarget& target);

}  // namespace levee::health
