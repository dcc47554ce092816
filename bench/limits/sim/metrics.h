#pragma once
// Numbers read off a Run: goodput as a share of what the service could deliver, the share of
// exchanges whose caller left first, how long goodput took to settle after each scripted
// change, and the limit's range.
//
// Goodput is measured against delivered_bar() = min(C, new users per second x success share)
// per 100 ms bucket: under overload that is C, what W slots deliver; under light load it is
// the work the users who arrived brought. Retries are not new demand, so they do not raise
// the bar.

#include <cstdint>
#include <limits>
#include <vector>

#include "bench/limits/sim/run.h"

namespace levee::sim {

inline constexpr double never = std::numeric_limits<double>::infinity();

struct LimitRange {
  std::uint32_t min = 0;
  std::uint32_t median = 0;
  std::uint32_t max = 0;
};

struct Summary {
  double goodput_share = 0;  // over [warmup, end)
  double late_share = 0;     // abandoned / exchanges that reached the service
  double settle = 0;         // the slowest settle after a step past the warmup (never: inf)
  LimitRange limit;          // over [warmup, end)
  double p50_ms = 0;         // latency of the 2xx received in time, over [warmup, end)
  double p99_ms = 0;
};

// Successes received in time per second over [from, to) seconds.
double goodput_rate(const Run& run, double from, double to);
// Goodput over [from, to) as a share of what was deliverable then.
double goodput_share(const Run& run, double from, double to);
// Abandoned exchanges as a share of the exchanges that reached the service in [from, to).
double late_share(const Run& run, double from, double to);
// Seconds from `event` until goodput over sliding windows of `window` seconds is at least
// `bar` x deliverable and stays so until the next step (or the run's end); `never` if the
// last window before it is still short. The table uses 2 s and 80%, which a bimodal service's
// own noise passes; recovery checks use 1 s and 90% (the window slides by 100 ms).
double settle_time(const Run& run, double event, double window = 2.0, double bar = 0.8);
// The q-quantile (0..1) of the latency of 2xx received in time in [from, to), in ms.
double latency_quantile(const Run& run, double from, double to, double q);
// The limit's range over the ticks in [from, to).
LimitRange limit_range(const Run& run, double from, double to);
// Seconds from `event` until the limit is within [lo, hi] and stays so for `hold` seconds.
double follow_time(const Run& run, double event, double lo, double hi, double hold);

Summary summarize(const Run& run, double warmup);

}  // namespace levee::sim
