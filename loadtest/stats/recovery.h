#pragma once
// Recovery time: how long after the overload ends newly arriving users are served well again.
//
// A forward window [t, t + window) is good when its goodput ratio (goodput / offered, users by
// arrival) is at least tolerance x the baseline ratio and its p99 latency is under
// max(2 x baseline p99, baseline p99 + 5 ms). The service has recovered at the first bucket
// start t >= overload end from which every window start in [t, t + hold] is good; the recovery
// time is t - overload end. A ratio rather than a rate, so a recovery phase at a different rate
// than the baseline is still judged fairly. Windows that would run past the series are not
// judged, so a run that ends too soon reports "never". Pure.
//
// A bucket in which the generator itself fell behind its schedule (lag p99 over `max_lag`, the
// run's validity bound) is set aside: latency is measured from the intended send time, so a
// stall of the generator's own machine (a busy CI runner, a descheduled VM) shows up there as
// the target's latency. A window is judged on its other buckets; one with none left has no
// evidence and is not good. A generator that stays late therefore never sees a recovery, and a
// run whose lag p99 is over the bound is invalid anyway (analysis.h).

#include <cstddef>
#include <optional>

#include "stats/aggregate.h"

namespace levee::load {

struct RecoveryConfig {
  Nanos window{std::chrono::seconds(2)};
  double tolerance = 0.95;
  Nanos hold{std::chrono::seconds(3)};
};

struct RecoveryBaseline {
  double goodput_ratio = 1.0;  // goodput / offered during the baseline
  Nanos p99{0};
};

// The latency bound a recovered window must meet.
Nanos recovery_p99_bound(Nanos baseline_p99);

struct RecoveryResult {
  std::optional<Nanos> time;          // nullopt: never
  std::optional<Nanos> recovered_at;  // absolute time of recovery (overload end + time)
  std::size_t buckets_set_aside = 0;  // after the overload, with the generator late
};

RecoveryResult compute_recovery(const Series& series, Nanos overload_end, const RecoveryBaseline& baseline,
                                const RecoveryConfig& config, Nanos max_lag);

}  // namespace levee::load
