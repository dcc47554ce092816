#pragma once
// levee's own retries to the service, per route (routes[].retry): forward() once, and again
// while the failure is one the route retries on, the request is safe to send twice and the
// route's retry budget has a token.
//
// Safe to send twice: an idempotent method (GET HEAD OPTIONS PUT DELETE TRACE) or an
// idempotency-key header, and a body that is complete in memory -- none, or a Content-Length
// of at most max_buffered_body, read before the first attempt. A larger or chunked body is
// relayed as it arrives and cannot be replayed.
//
// Never retried: a response already started to the client, and a 429 or a 503 with
// Retry-After -- the service asking for less load gets it, and its answer goes to the client.
// A status-based retry discards the unwanted response (the connection is closed, its body
// unread); if no retry is possible after all, that response is relayed as usual, so the
// client always gets the last real answer.
//
// The budget (RetryBudget) bounds retries per window relative to first attempts; the cap
// (ConcurrencyCap) bounds retries in flight, from the start of the back-off to the end of the
// attempt. Back-off is full jitter: U(0, min(backoff_max, backoff_base * 2^(n-1))) before retry n.

#include "proxy/config/config.h"
#include "proxy/http/forwarder.h"
#include "proxy/policy/concurrency_cap.h"
#include "proxy/policy/random.h"
#include "proxy/policy/retry_budget.h"

#include <optional>
#include <string_view>

namespace levee::observability {
class RetryMetrics;
}

namespace levee::http {

// Per route, shared by every worker (both members are thread-safe). Kept across reloads.
struct RouteRetry {
  RouteRetry(const policy::RetryBudgetSettings& settings, policy::TimePoint now)
      : budget(settings, now), cap(settings.max_concurrent) {}
  void reconfigure(const policy::RetryBudgetSettings& settings, policy::TimePoint now) {
    budget.reconfigure(settings, now);
    cap.set_max(settings.max_concurrent);
  }
  policy::RetryBudget budget;
  policy::ConcurrencyCap cap;
};

// Why a request on a retrying route ended its retries (levee_retries_total{outcome}).
enum class RetryOutcome : std::uint8_t {
  succeeded,        // retried, and the last attempt did not fail in a retryable way
  exhausted,        // every attempt failed
  budget_denied,    // a retry was due but the budget (or the concurrency cap) said no
  not_retryable,    // a retryable failure of a request that is not safe to repeat
  body_too_large,   // a retryable failure, but the body was streamed, not held in memory
  overload_signal,  // 429, or 503 with Retry-After: passed to the client, never retried
};
inline constexpr std::size_t retry_outcome_count = 6;
std::string_view name(RetryOutcome outcome);

struct RetryContext {
  const config::RetryConfig& config;
  RouteRetry* state = nullptr;                // null: no retries
  std::string_view idempotency_key;           // header name; empty = none
  policy::Random& random;
  const observability::RetryMetrics* metrics = nullptr;
  std::size_t route = 0;                      // index for the metrics
};

struct RetriedExchange {
  ExchangeResult result;                      // of the last attempt
  std::uint32_t attempts = 0;                 // exchanges tried (0: failed before the first)
  std::optional<RetryOutcome> outcome;        // none: no retry decision was needed
};

boost::asio::awaitable<RetriedExchange> forward_with_retries(Downstream& downstream, RequestParser& request,
                                                             UpstreamPool& pool, const ForwardingFacts& facts,
                                                             const policy::Clock& clock, const RetryContext& retry);

}  // namespace levee::http
