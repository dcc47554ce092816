#pragma once
// Time as policy sees it.
//
// Policy code never reads a clock: every decision method takes `now` as an argument, so the
// algorithms are deterministic functions of their inputs and tests drive them with a manual
// clock (tests/fakes/manual_clock.h). The plumbing owns one Clock and reads it once per event.
// SteadyClock is the only real clock in the policy layer; it is monotonic because wall-clock
// jumps (NTP, DST) must never look like a latency spike or an expired queue wait.

#include <chrono>

namespace levee::policy {

using Duration = std::chrono::nanoseconds;
using TimePoint = std::chrono::steady_clock::time_point;

// Thread safety: implementations must allow concurrent now() calls.
class Clock {
 public:
  virtual ~Clock() = default;
  // The current monotonic time. Called by the plumbing once per event (request arrival,
  // response, tick); never by policy code.
  virtual TimePoint now() const = 0;
};

class SteadyClock final : public Clock {
 public:
  TimePoint now() const override { return std::chrono::steady_clock::now(); }
};

// Seconds as a double, for rates and ratios; durations stay std::chrono everywhere else.
inline double to_seconds(Duration d) { return std::chrono::duration<double>(d).count(); }

}  // namespace levee::policy
