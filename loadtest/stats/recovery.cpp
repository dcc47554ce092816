#include "stats/recovery.h"

#include <algorithm>
#include <vector>

namespace levee::load {

Nanos recovery_p99_bound(Nanos baseline_p99) {
  return std::max(2 * baseline_p99, baseline_p99 + std::chrono::milliseconds(5));
}

RecoveryResult compute_recovery(const Series& series, Nanos overload_end, const RecoveryBaseline& baseline,
                                const RecoveryConfig& config, Nanos max_lag) {
  const std::int64_t width = std::max<std::int64_t>(series.bucket.count(), 1);
  const std::size_t n = series.buckets.size();
  const auto window = static_cast<std::size_t>(std::max<std::int64_t>(1, (config.window.count() + width - 1) / width));
  const auto hold = static_cast<std::size_t>(std::max<std::int64_t>(0, (config.hold.count() + width - 1) / width));
  const auto first = static_cast<std::size_t>((std::max<std::int64_t>(overload_end.count(), 0) + width - 1) / width);
  const Nanos bound = recovery_p99_bound(baseline.p99);
  const double min_ratio = config.tolerance * baseline.goodput_ratio;

  // A bucket where the generator itself was late says nothing about the target; each is
  // judged once here, not once per window that covers it.
  std::vector<bool> generator_late(n, false);
  std::size_t set_aside = 0;
  for (std::size_t i = first; i < n; ++i) {
    generator_late[i] = series.buckets[i].lag.percentile(0.99) > max_lag;
    if (generator_late[i]) ++set_aside;
  }
  auto good = [&](std::size_t start) {
    Counters c;
    Histogram latency;
    for (std::size_t i = start; i < start + window; ++i) {
      if (generator_late[i]) continue;
      c.add(series.buckets[i].counters);
      latency.merge(series.buckets[i].latency);
    }
    if (c.offered == 0) return false;  // no evidence either way
    double ratio = static_cast<double>(c.goodput) / static_cast<double>(c.offered);
    return ratio >= min_ratio && latency.percentile(0.99) <= bound;
  };

  // run_start: first index of the current streak of good windows.
  constexpr std::size_t none = static_cast<std::size_t>(-1);
  std::size_t run_start = none;
  for (std::size_t i = first; i + window <= n; ++i) {
    if (!good(i)) {
      run_start = none;
      continue;
    }
    if (run_start == none) run_start = i;
    if (i - run_start >= hold) {
      Nanos at{static_cast<std::int64_t>(run_start) * width};
      return {std::max(at - overload_end, Nanos{0}), at, set_aside};
    }
  }
  return {std::nullopt, std::nullopt, set_aside};
}

}  // namespace levee::load
