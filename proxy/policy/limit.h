#pragma once
// The concurrency limit of one admission group: how many requests may be in the service at
// once. Implementations: FixedLimit (fixed_limit.h), AimdLimit (aimd_limit.h), GradientLimit
// (gradient_limit.h), and WindowedLimit (windowed_limit.h), a decorator that aggregates
// samples per time window before its inner limit sees them.
//
// Time is data (Sample::now), so no implementation needs a clock, and the strategies compose
// as decorators, as in Netflix concurrency-limits.
//
// Thread safety: none. The owner (Admission) serialises every call under its mutex and
// publishes current() to the lock-free admission path itself.

#include <cstdint>
#include <memory>

#include "proxy/policy/clock.h"
#include "proxy/policy/settings.h"

namespace levee::policy {

// One completed request, as the limit sees it.
struct Sample {
  Duration rtt{};              // permit granted -> response complete (queue wait excluded)
  std::uint32_t in_flight = 0; // in-flight count when the request started, itself included
  bool dropped = false;        // timeout, 5xx or upstream error: evidence of overload
  TimePoint now{};             // when the request completed
};

class Limit {
 public:
  virtual ~Limit() = default;
  // The limit to enforce now; always >= 1.
  virtual std::uint32_t current() const = 0;
  // What the algorithm has learned, for a reconfigured group to start from: current() unless
  // the limit is temporarily held elsewhere (a gradient probe).
  virtual std::uint32_t learned() const { return current(); }
  // Called once per completed request that says something about the service (outcome
  // success or dropped; requests whose client went away are not samples), in completion
  // order, with non-decreasing `now`.
  virtual void on_sample(const Sample& sample) = 0;
};

// fixed -> FixedLimit; aimd -> AimdLimit; gradient -> WindowedLimit(GradientLimit).
// `initial` overrides settings.initial when given (a reconfigured group keeps its learned
// limit); it is clamped to [min, max].
std::unique_ptr<Limit> make_limit(const LimitSettings& settings, std::uint32_t initial = 0);

}  // namespace levee::policy
