#pragma once
// What the plumbing tells Admission about a request (Ticket), what it gets back when the
// request may proceed (Permit), and how the request ended (Outcome).
//
// Identity: the plumbing chooses TicketIds (e.g. a per-process counter) and keeps its own map
// from id to waiter; ids must be unique among the live tickets of one group. Admission keeps
// no record of admitted requests -- a Permit is a value carried by the request (in the
// PermitGuard) and handed back once to release(), which is why admission and release need no
// lock on the fast path.

#include <cstdint>
#include <optional>

#include "proxy/policy/clock.h"
#include "proxy/policy/priority.h"

namespace levee::policy {

using TicketId = std::uint64_t;

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
};

// The right to have one request in the service. Released exactly once with release().
struct Permit {
  TicketId ticket = 0;
  TimePoint start{};             // when the permit was granted; the RTT sample starts here
  std::uint32_t in_flight = 0;   // the group's in-flight count at grant, this one included
};

enum class Outcome : std::uint8_t {
  success,  // the service answered in time: counts toward goodput, a latency sample
  ignored,  // no evidence either way (client went away, cancelled): not a sample
  dropped,  // timeout, 5xx or upstream failure: a sample that signals overload
};

}  // namespace levee::policy
