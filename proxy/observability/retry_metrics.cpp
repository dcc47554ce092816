#include "proxy/observability/retry_metrics.h"

#include <algorithm>

namespace levee::observability {

RetryMetrics::RetryMetrics(prometheus::Registry& registry, const std::vector<std::string>& routes,
                           const std::vector<std::string_view>& outcomes) {
  auto& attempts = prometheus::BuildCounter()
                       .Name("levee_upstream_attempts_total")
                       .Help("Requests sent to the service, by route and try (1 = first attempt)")
                       .Register(registry);
  auto& retries = prometheus::BuildCounter()
                      .Name("levee_retries_total")
                      .Help("Requests on a retrying route that met a retry decision, by its final outcome")
                      .Register(registry);
  auto& tokens = prometheus::BuildGauge()
                     .Name("levee_retry_budget_tokens")
                     .Help("Retries the route's retry budget allows now")
                     .Register(registry);
  for (const auto& route : routes) {
    auto& tries = attempts_.emplace_back();
    const char* labels[] = {"1", "2", "3+"};
    for (std::size_t i = 0; i < tries.size(); ++i) tries[i] = &attempts.Add({{"route", route}, {"try", labels[i]}});
    auto& by_outcome = outcomes_.emplace_back();
    for (const auto outcome : outcomes)
      by_outcome.push_back(&retries.Add({{"route", route}, {"outcome", std::string(outcome)}}));
    budget_tokens_.push_back(&tokens.Add({{"route", route}}));
  }
}

void RetryMetrics::count_attempt(std::size_t route, std::uint32_t attempt) const {
  attempts_[route][std::min<std::uint32_t>(std::max<std::uint32_t>(attempt, 1), 3) - 1]->Increment();
}

}  // namespace levee::observability
