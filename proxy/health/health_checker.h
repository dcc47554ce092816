#pragma once
// Active health checks of the upstreams that ask for them (`upstreams[].health_check`), and the
// readiness verdict they give /readyz.
//
// One loop per checked upstream: probe (probe.h), record the outcome in its UpstreamHealth
// (proxy/policy/upstream_health.h, the threshold rules), wait `interval`, again. The verdict
// changes are logged and exported as levee_upstream_healthy{upstream} (0/1).
//
// Thread safety: everything runs on one io_context (the server's control thread, which also
// answers /readyz), so the loops and not_ready() share the state without a lock. start(),
// not_ready() and the loops must all run there; stop() may be called from any thread.

#include "proxy/config/config.h"
#include "proxy/health/probe.h"
#include "proxy/http/worker_executor.h"
#include "proxy/policy/clock.h"
#include "proxy/policy/upstream_health.h"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <prometheus/gauge.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace levee::health {

struct CheckedUpstream {
  std::string name;
  config::HealthCheckConfig settings;
  ProbeTarget target;
  prometheus::Gauge* healthy_gauge = nullptr;  // levee_upstream_healthy{upstream=name}
};

class HealthChecker {
 public:
  HealthChecker(boost::asio::io_context& context, const policy::Clock& clock, std::vector<CheckedUpstream> upstreams);

  bool empty() const { return checks_.empty(); }
  void start();
  void stop();  // thread-safe

  // Why levee is not ready on account of its upstreams ("upstream backend is not healthy:
  // connect: Connection refused (for 12.0 s)", one line per unhealthy upstream), or nullopt
  // when every checked upstream is healthy. On the context's thread only.
  std::optional<std::string> not_ready(policy::TimePoint now) const;

 private:
  struct Check {
    CheckedUpstream upstream;
    policy::UpstreamHealth health;
    boost::asio::steady_timer pause;
  };

  http::Awaitable<void> check_loop(Check& check);

  boost::asio::io_context& context_;
  const policy::Clock& clock_;
  std::vector<std::unique_ptr<Check>> checks_;
  bool stopped_ = false;  // on the context's thread only
};

}  // namespace levee::health
