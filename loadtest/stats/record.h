#pragma once
// What the generator writes down about every attempt and every user request. Plain data, written
// by one sending thread each and read by the aggregation after the run. Times are nanoseconds
// from the run's start.

#include <array>
#include <cstdint>
#include <string_view>

namespace levee::load {

// The result of one attempt (one HTTP exchange, or the failure to have one).
enum class Outcome : std::uint8_t {
  ok,             // 2xx
  shed,           // 429 or 503: the target refused quickly, as an overload guard should
  http_4xx,       // other 4xx
  http_5xx,       // other 5xx
  http_other,     // 1xx/3xx
  timeout,        // the caller gave up (client timeout) and closed the connection
  connect_error,  // could not connect (refused, unreachable)
  closed,         // connection reset or closed before a full response
  protocol,       // malformed response
  not_sent,       // no connection could be had before the deadline (pool cap)
};
inline constexpr std::size_t outcome_count = 10;

inline constexpr std::array<std::string_view, outcome_count> outcome_names{
    "ok",      "shed",          "http_4xx", "http_5xx", "http_other",
    "timeout", "connect_error", "closed",   "protocol", "not_sent"};

inline std::string_view name_of(Outcome o) { return outcome_names[static_cast<std::size_t>(o)]; }

inline Outcome outcome_of_status(unsigned status) {
  if (status >= 200 && status < 300) return Outcome::ok;
  if (status == 429 || status == 503) return Outcome::shed;
  if (status >= 400 && status < 500) return Outcome::http_4xx;
  if (status >= 500 && status < 600) return Outcome::http_5xx;
  return Outcome::http_other;
}

// Outcomes that say nothing about the target but about the network or the generator.
inline bool is_error(Outcome o) {
  return o != Outcome::ok && o != Outcome::shed && o != Outcome::timeout;
}

struct AttemptRecord {
  std::int64_t intended_ns = 0;  // when this attempt was due (the user's arrival for attempt 0)
  std::int64_t dispatch_ns = 0;  // when the generator got to it: dispatch - intended = schedule lag
  std::int64_t sent_ns = -1;     // when the request went on a connection; -1 if never
  std::int64_t end_ns = 0;       // when the outcome was known (-1 while open, when aggregating while running)
  std::uint32_t user = 0;        // index into the same thread's UserRecord array
  std::uint16_t status = 0;      // HTTP status, 0 if none
  Outcome outcome = Outcome::not_sent;
  std::uint8_t attempt = 0;      // 0 = first try, n = n-th retry
};

// The fate of a user request across its retries.
enum class UserOutcome : std::uint8_t {
  pending,  // still has an attempt in flight or scheduled
  good,     // a 2xx within the user's deadline: goodput
  late,     // a 2xx, but after the deadline
  failed,   // the last attempt failed; last_outcome says how
};

struct UserRecord {
  std::int64_t arrival_ns = 0;  // intended arrival: goodput is bucketed by it
  std::int64_t end_ns = 0;      // end of the last attempt
  UserOutcome outcome = UserOutcome::pending;
  Outcome last_outcome = Outcome::not_sent;
  std::uint8_t attempts = 0;
  std::uint16_t flow = 0;       // index into the run's flows
  std::uint32_t key = 0;        // the flow key sent by every attempt, for flows with keys:
  std::uint8_t request = 0;     // which template of the flow's request mix (0 without one)
};

}  // namespace levee::load
