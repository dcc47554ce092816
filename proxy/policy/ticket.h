#pragma once
// What the plumbing tells Admission about a request (Ticket), what it gets back when the
// request may proceed (Permit), and how the request ended (Outcome).
//
// Identity: the plumbing chooses TicketIds (e.g. a per-process counter) and keeps its own map
// from id to waiter; ids must be unique among the live tickets of one group. Admission keeps
// no record of admitted requests -- a Permit is a value carried by the request (in the
// PermitGuard) and handed back once to release(), which is why admission and release need no
// lock on the fast path.

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "proxy/policy/clock.h"
#include "proxy/policy/priority.h"

namespace levee::policy {

using TicketId = std::uint64_t;

// Which flow a request belongs to for fair sharing (fairness_settings.h): a keyed hash of the
// flow key (flow_hash.h). Two values are reserved: no key, and the flow new keys share.
using FlowId = std::uint64_t;
inline constexpr FlowId no_flow_key = 0;     // the request carries no key: one shared flow
inline constexpr FlowId new_keys_flow = 1;   // keys not seen recently share this one

struct Ticket {
  TicketId id = 0;
  Priority priority = Priority::normal;
  // A client retry (retry header or repeated idempotency key). Retries spend the inbound
  // retry budget, are admitted only while the group is below its limit with no queue, and are
  // never queued: under overload they are the first to go.
  bool is_retry = false;
  // Latest time the request may start to be worth serving: the client's deadline header,
  // capped by the route timeout. None: only max_wait bounds its wait.
  std::optional<TimePoint> deadline;
  // When levee read the request header; queue waits count from here. The default (the
  // clock's epoch) means "now".
  TimePoint arrival{};
  // Fair admission (ignored while the group has no flow key): the flow's id, its 1-based index
  // in FairnessSettings::flows when the key names a configured flow (0: none), and how /state
  // shows it (valid during the call only; copied if kept).
  FlowId flow = no_flow_key;
  std::uint16_t named_flow = 0;
  std::string_view flow_label;
};

// The right to have one request in the service. Released exactly once with release().
struct Permit {
  TicketId ticket = 0;
  TimePoint start{};             // when the permit was granted; the RTT sample starts here
  std::uint32_t in_flight = 0;   // the group's in-flight count at grant, this one included
  // The flow the permit is counted against while fairness is on; `counted` says whether it
  // is (a permit granted before fairness was turned on by a reload is not).
  FlowId flow = no_flow_key;
  bool counted = false;
};

// How an admitted request ended, as the plumbing reports it to release(). One enum; name() is
// the metric label. What each outcome means for the limit algorithms: limit.h.
enum class Outcome : std::uint8_t {
  success,    // the caller received the service's answer in time: goodput, a latency sample
  ignored,    // no evidence either way (the request never reached the service, or levee itself
              // failed): not a sample
  dropped,    // the service failed: 5xx or 429, reset, refused or failed connect, a malformed
              // answer. A sample that is not goodput; its RTT is how long failing took, often
              // far shorter than serving (a fast 503), so it is no latency evidence
  abandoned,  // the service did not answer within the caller's patience: the caller left while
              // its request was at the service (levee aborts the exchange), the answer came
              // after the caller's deadline, or levee's own upstream timeout fired. Not goodput,
              // and the RTT is a lower bound of the service's latency. Distinct from `dropped`
              // because it says "too slow", not "broken": the collapse detector counts it
              // (collapse_detector.h), while a fast failure must not look like a collapse
};

inline constexpr std::array all_outcomes{Outcome::success, Outcome::ignored, Outcome::dropped,
                                         Outcome::abandoned};
inline constexpr std::size_t outcome_count = all_outcomes.size();

constexpr std::string_view name(Outcome outcome) {
  switch (outcome) {
    case Outcome::success: return "success";
    case Outcome::ignored: return "ignored";
    case Outcome::dropped: return "dropped";
    case Outcome::abandoned: return "abandoned";
  }
  return "unknown";
}

constexpr std::size_t index(Outcome outcome) { return static_cast<std::size_t>(outcome); }

}  // namespace levee::policy
