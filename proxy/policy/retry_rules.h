#pragma once
// levee's own retries to the service: the rules, without the I/O. The retrying forwarder
// (proxy/http/retrying_forwarder.h) runs one attempt at a time and asks these after each:
//
// - A failure is retried only when the route retries on its kind (RetryOn), the request is
//   safe to send twice (an idempotent method or an idempotency key) and its body is complete
//   in memory (none, or a Content-Length of at most max_buffered_body read beforehand), the
//   route has attempts left, and then only when the route's concurrency cap and retry budget
//   (RetryAllowance) allow it. retry_refusal() says which of the first three said no.
// - A 429, or a 503 with Retry-After, is never retried: the service asked for less load, and
//   its answer goes to the client (is_overload_signal).
// - Back-off is full jitter: U(0, min(backoff_max, backoff_base * 2^(n-1))) before retry n.
//
// Thread safety: the functions are pure; RetryAllowance's members are thread-safe.

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "proxy/policy/clock.h"
#include "proxy/policy/concurrency_cap.h"
#include "proxy/policy/retry_budget.h"
#include "proxy/policy/settings.h"

namespace levee::policy {

// What a route's retries react to (YAML `routes[].retry.retry_on`).
enum class RetryOn : std::uint8_t {
  connect_failure,  // connect refused / timed out: the request never reached the service
  reset,            // connection reset or closed before any response byte
  timeout,          // per-try timeout before the response header
  status,           // a status listed in RetrySettings::statuses
};
inline constexpr std::array all_retry_on{RetryOn::connect_failure, RetryOn::reset, RetryOn::timeout,
                                         RetryOn::status};
constexpr std::string_view name(RetryOn kind) {
  switch (kind) {
    case RetryOn::connect_failure: return "connect_failure";
    case RetryOn::reset: return "reset";
    case RetryOn::timeout: return "timeout";
    case RetryOn::status: return "status";
  }
  return "unknown";
}
std::optional<RetryOn> parse_retry_on(std::string_view word);

// A route's retries (YAML `routes[].retry`). Off by default (attempts 1): a retry is only
// safe once the budget bounds it, so operators opt in.
struct RetrySettings {
  std::uint32_t attempts = 1;                            // total tries, first one included
  std::vector<RetryOn> retry_on{RetryOn::connect_failure, RetryOn::reset};
  std::vector<unsigned> statuses{502, 503, 504};         // used when retry_on has `status`
  std::optional<Duration> per_try_timeout;               // none: the upstream response_timeout
  Duration backoff_base = std::chrono::milliseconds(25); // full jitter: U(0, min(max, base*2^n))
  Duration backoff_max = std::chrono::milliseconds(250);
  std::uint64_t max_buffered_body = 64 * 1024;           // larger bodies stream, never retried
  RetryBudgetSettings budget;                            // outbound retry budget of the route

  bool retries_on(RetryOn kind) const;
  // A response status the route retries (retry_on has `status` and the status is listed).
  bool retries_status(unsigned status) const;

  friend bool operator==(const RetrySettings&, const RetrySettings&) = default;
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
inline constexpr std::array all_retry_outcomes{RetryOutcome::succeeded,     RetryOutcome::exhausted,
                                               RetryOutcome::budget_denied, RetryOutcome::not_retryable,
                                               RetryOutcome::body_too_large, RetryOutcome::overload_signal};
constexpr std::string_view name(RetryOutcome outcome) {
  switch (outcome) {
    case RetryOutcome::succeeded: return "succeeded";
    case RetryOutcome::exhausted: return "exhausted";
    case RetryOutcome::budget_denied: return "budget_denied";
    case RetryOutcome::not_retryable: return "not_retryable";
    case RetryOutcome::body_too_large: return "body_too_large";
    case RetryOutcome::overload_signal: return "overload_signal";
  }
  return "unknown";
}

// GET HEAD OPTIONS PUT DELETE TRACE (RFC 9110 9.2.2); `method` as on the request line.
bool is_idempotent_method(std::string_view method);

// The service asks callers to back off: retrying would add exactly the load it refuses.
constexpr bool is_overload_signal(unsigned status, bool has_retry_after) {
  return status == 429 || (status == 503 && has_retry_after);
}
// Whether is_overload_signal reads Retry-After for this status: the caller need not look the
// field up otherwise.
constexpr bool overload_signal_reads_retry_after(unsigned status) { return status == 503; }

// What the retry rules need to know about the request itself.
struct Replay {
  bool safe = false;        // may reach the service twice
  bool replayable = false;  // its body (if any) is complete in memory and can be sent again
};

// After attempt number `attempts_made` failed in a way the route retries on: why no further
// attempt goes, or none when one may (the allowance still has to agree).
std::optional<RetryOutcome> retry_refusal(const RetrySettings& settings, const Replay& replay,
                                          std::uint32_t attempts_made);

// The ceiling of the full-jitter back-off before retry `retry_number` (1 = the first retry).
Duration backoff_ceiling(const RetrySettings& settings, std::uint32_t retry_number);

// A route's retry allowance, shared by every worker and kept across reloads: the budget bounds
// retries per window relative to first attempts; the cap bounds retries in flight, from the
// start of the back-off to the end of the attempt.
struct RetryAllowance {
  RetryAllowance(const RetryBudgetSettings& settings, TimePoint now)
      : budget(settings, now), cap(settings.max_concurrent) {}
  void reconfigure(const RetryBudgetSettings& settings, TimePoint now) {
    budget.reconfigure(settings, now);
    cap.set_max(settings.max_concurrent);
  }
  RetryBudget budget;
  ConcurrencyCap cap;
};

}  // namespace levee::policy
