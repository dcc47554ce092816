#include "proxy/observability/tunnel_metrics.h"

namespace levee::observability {

TunnelMetrics::TunnelMetrics(prometheus::Registry& registry, const std::vector<std::string>& routes) {
  auto& open = prometheus::BuildGauge()
                   .Name("levee_tunnels_open")
                   .Help("Upgrade tunnels (WebSocket) open now, by route; they hold no admission permit")
                   .Register(registry);
  auto& results = prometheus::BuildCounter()
                      .Name("levee_tunnels_total")
                      .Help("Upgrade requests by route and how they ended: established, over_cap (tunnels.max), "
                            "shed (admission), declined (the service did not answer 101), failed")
                      .Register(registry);
  for (const auto& route : routes) {
    open_.push_back(&open.Add({{"route", route}}));
    auto& by_result = results_.emplace_back();
    for (const auto result : policy::all_tunnel_results)
      by_result[policy::index(result)] = &results.Add({{"route", route}, {"result", std::string(policy::name(result))}});
  }
}

void TunnelMetrics::refresh(const policy::TunnelLedger& ledger) const {
  for (std::size_t i = 0; i < open_.size(); ++i) open_[i]->Set(static_cast<double>(ledger.open(i)));
}

}  // namespace levee::observability
