#pragma once
// The concurrency limit of one admission group: how many requests may be in the service at
// once. Implementations: FixedLimit (fixed_limit.h), AimdLimit (aimd_limit.h), GradientLimit
// (gradient_limit.h), KneeLimit (knee_limit.h), and WindowedLimit (windowed_limit.h), a
// decorator that aggregates samples per time window before its inner limit sees them.
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

// One completed request, as the limit sees it (Admission::release builds it from the Outcome).
//
// What a failed sample means is each algorithm's decision, documented in its header; the
// rules they share: a fast failure (dropped, not abandoned) is no latency evidence and never
// grows a limit; an abandoned sample (the caller gave up: a timeout) is the strongest signal
// of overload there is, and its RTT is a lower bound of the service's latency.
//   fixed     ignores samples.
//   aimd      backs off on either (once per round trip).
//   gradient  a window with failures does not grow; one with abandoned samples shrinks.
//   knee      failures are left out of the latency comparison and stop growth while frequent;
//             abandoned samples are latency (lower bounds) and trigger a check whether a
//             smaller limit would bring latency down -- it shrinks only if it would.
struct Sample {
  Duration rtt{};              // permit granted -> response complete (queue wait excluded)
  std::uint32_t in_flight = 0; // in-flight count when the request started, itself included
  bool dropped = false;        // not delivered: Outcome::dropped or Outcome::abandoned
  TimePoint now{};             // when the request completed
  bool abandoned = false;      // Outcome::abandoned (implies dropped): the caller gave up first
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
  // success, dropped or abandoned; ignored ones are not samples), in completion order, with
  // non-decreasing `now`.
  virtual void on_sample(const Sample& sample) = 0;
};

// fixed -> FixedLimit; aimd -> AimdLimit; gradient -> WindowedLimit(GradientLimit);
// knee -> KneeLimit (it measures in phases of its own, so it is not windowed).
// `initial` overrides settings.initial when given (a reconfigured group keeps its learned
// limit); it is clamped to [min, max].
std::unique_ptr<Limit> make_limit(const LimitSettings& settings, std::uint32_t initial = 0);

}  // namespace levee::policy
