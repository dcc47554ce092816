#pragma once
// The metrics of upgrade tunnels (WebSocket), labelled by route:
//   levee_tunnels_open{route}            open now; set at scrape time from the TunnelLedger
//   levee_tunnels_total{route,result}    upgrade requests by how they ended (policy::TunnelResult)
// Every series is created here, at start, so the request path only increments.

#include "proxy/policy/tunnel_ledger.h"

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include <array>
#include <cstddef>
#include <string>
#include <vector>

namespace levee::observability {

class TunnelMetrics {
 public:
  TunnelMetrics(prometheus::Registry& registry, const std::vector<std::string>& routes);

  // Request path, any thread.
  void count(std::size_t route, policy::TunnelResult result) const {
    if (route < results_.size()) results_[route][policy::index(result)]->Increment();
  }
  // Scrape time (control thread).
  void refresh(const policy::TunnelLedger& ledger) const;

 private:
  std::vector<std::array<prometheus::Counter*, policy::all_tunnel_results.size()>> results_;
  std::vector<prometheus::Gauge*> open_;
};

}  // namespace levee::observability
