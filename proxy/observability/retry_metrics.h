#pragma once
// The metrics of levee's own retries to the service, labelled by route:
//   levee_upstream_attempts_total{route,try}   try = "1", "2", "3+"
//   levee_retries_total{route,outcome}         one per request that reached a retry decision
//   levee_retry_budget_tokens{route}           refreshed at scrape time (set_budget_tokens)
// Every series is created here, at start, so the request path only increments.
// Outcome names come from the caller (http::RetryOutcome), like ProxyMetrics' error kinds.

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include <array>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace levee::observability {

class RetryMetrics {
 public:
  RetryMetrics(prometheus::Registry& registry, const std::vector<std::string>& routes,
               const std::vector<std::string_view>& outcomes);

  // Request path, any thread. `attempt` counts from 1; 3 and above share a series.
  void count_attempt(std::size_t route, std::uint32_t attempt) const;
  void count_outcome(std::size_t route, std::size_t outcome) const { outcomes_[route][outcome]->Increment(); }
  // Scrape time.
  void set_budget_tokens(std::size_t route, double tokens) const { budget_tokens_[route]->Set(tokens); }

 private:
  std::vector<std::array<prometheus::Counter*, 3>> attempts_;
  std::vector<std::vector<prometheus::Counter*>> outcomes_;
  std::vector<prometheus::Gauge*> budget_tokens_;
};

}  // namespace levee::observability
