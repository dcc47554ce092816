#pragma once
// Recent service time of one admission group, from cumulative completion totals.
//
// Per window: mean service time = (service time sum delta) / (completions delta). The
// estimate is an exponential average of window means (weight 0.3: a second of 250 ms windows
// mostly replaces it), so deadline-aware admission and Retry-After follow the service within
// a second. The baseline is a minimum-biased average -- it drops at once to a faster window
// and creeps up by 1% of the difference per window -- and approximates the uncongested
// service time that the collapse detector's Little's-law clamp needs.
//
// Inputs are cumulative totals (not per-window deltas) so the lock-free release path only
// ever increments counters and nobody has to reset them.
// Thread safety: none; Admission calls it under its mutex.

#include <cstdint>

#include "proxy/policy/clock.h"

namespace levee::policy {

class ServiceEstimator {
 public:
  ServiceEstimator(Duration window, TimePoint now) : window_(window), window_end_(now + window) {}

  void set_window(Duration window) { window_ = window; }

  // `completions`: cumulative count of requests that measured the service (success or
  // dropped); `service_sum`: cumulative permit-held time of those requests.
  void on_tick(TimePoint now, std::uint64_t completions, Duration service_sum) {
    if (now < window_end_) return;
    window_end_ = now + window_;
    const std::uint64_t count = completions - completions_;
    const Duration sum = service_sum - service_sum_;
    completions_ = completions;
    service_sum_ = service_sum;
    if (count == 0) return;  // nothing finished: keep the last estimate
    const double mean = static_cast<double>(sum.count()) / static_cast<double>(count);
    mean_ns_ = mean_ns_ == 0 ? mean : mean_ns_ + 0.3 * (mean - mean_ns_);
    baseline_ns_ = baseline_ns_ == 0 || mean < baseline_ns_
                       ? mean
                       : baseline_ns_ + 0.01 * (mean - baseline_ns_);
  }

  // Zero until the first window with completions.
  Duration service_time() const { return Duration{static_cast<Duration::rep>(mean_ns_)}; }
  Duration baseline() const { return Duration{static_cast<Duration::rep>(baseline_ns_)}; }

 private:
  Duration window_;
  TimePoint window_end_;
  std::uint64_t completions_ = 0;
  Duration service_sum_{};
  double mean_ns_ = 0;
  double baseline_ns_ = 0;
};

}  // namespace levee::policy
