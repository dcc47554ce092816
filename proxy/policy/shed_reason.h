#pragma once
// Why a request was not served. One enum; name() is at once the metric label
// (levee_shed_total{reason="..."}) and the value of the `levee-shed` response header, so an
// operator reading either sees the same word.

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace levee::policy {

enum class ShedReason : std::uint8_t {
  over_limit,     // at the concurrency limit and the group has no queue (max_length 0)
  queue_full,     // at the limit and the queue is at its bound with nothing lower to displace
                  // (max_length; while congested, what drains within half the CoDel target)
  queue_timeout,  // waited in the queue longer than max_wait
  stale,          // CoDel (or recovery mode) shed a queued request older than the target wait
  client_gone,    // the client disconnected while its request waited (cancel)
  retry_shed,     // a client retry arrived while the group was at its limit or had a queue
  retry_budget,   // a client retry beyond the group's inbound retry budget
  deadline,       // the request could not start before its deadline (estimated or passed)
  priority,       // displaced by, or shed in favour of, a higher priority class
  draining,       // the group is shutting down
  fair_share,     // the group is contended and the request's flow holds more than its fair
                  // share: the heaviest flow is shed first (admission.fairness)
  flow_cap,       // the request's named flow is at its configured cap
};

inline constexpr std::array all_shed_reasons{
    ShedReason::over_limit, ShedReason::queue_full,   ShedReason::queue_timeout,
    ShedReason::stale,      ShedReason::client_gone,  ShedReason::retry_shed,
    ShedReason::retry_budget, ShedReason::deadline,   ShedReason::priority,
    ShedReason::draining,   ShedReason::fair_share, ShedReason::flow_cap,
};
inline constexpr std::size_t shed_reason_count = all_shed_reasons.size();

constexpr std::string_view name(ShedReason reason) {
  switch (reason) {
    case ShedReason::over_limit: return "over_limit";
    case ShedReason::queue_full: return "queue_full";
    case ShedReason::queue_timeout: return "queue_timeout";
    case ShedReason::stale: return "stale";
    case ShedReason::client_gone: return "client_gone";
    case ShedReason::retry_shed: return "retry_shed";
    case ShedReason::retry_budget: return "retry_budget";
    case ShedReason::deadline: return "deadline";
    case ShedReason::priority: return "priority";
    case ShedReason::draining: return "draining";
    case ShedReason::fair_share: return "fair_share";
    case ShedReason::flow_cap: return "flow_cap";
  }
  return "unknown";
}

constexpr std::size_t index(ShedReason reason) { return static_cast<std::size_t>(reason); }

}  // namespace levee::policy
