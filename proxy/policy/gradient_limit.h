#pragma once
// Latency-based limit in the spirit of Netflix's Gradient2Limit and Envoy's gradient
// controller.
//
// Each (windowed) sample carries the recent RTT. The limit compares it with a long-term
// baseline -- what the service's latency is when it is not queueing:
//
//   gradient  = clamp(tolerance * baseline / recent, 0.5, 1.0)
//   estimate  = gradient < 1 ? limit * gradient          (queueing: shrink to what fits)
//                            : limit + sqrt(limit)       (no queueing: probe upwards)
//   limit     = (1 - smoothing) * limit + smoothing * estimate, within [min, max]
//
// Why these choices:
// - The gradient floor of 0.5 bounds a single step, so an outlier window cannot crash the
//   limit (Gradient2). The ceiling of 1.0 means growth comes only from the headroom term.
// - Gradient2 always adds its queue headroom, which makes it settle at tolerance x capacity
//   plus the headroom; adding the sqrt(limit) probe (Envoy's headroom) only while there is no
//   queueing settles it at about tolerance x capacity instead, and still grows from 32 to a
//   few hundred within seconds.
// - The baseline is what the service's latency is without a queue. While the group is
//   app-limited (using under half its limit) its windows are exactly that, and the baseline
//   follows them as an exponential average that rises slowly (long_window windows) and falls
//   ten times faster. While the group is busy it only falls: loaded windows queue a little by
//   design (the limit admits tolerance x capacity), and an average of them would creep up
//   under sustained overload and drag the limit with it -- a third of the queueing per 20 s,
//   +1 request on a 4-slot service. Instead, as Envoy does with its minimum RTT, a busy group
//   re-measures it every probe_interval: the limit is pinned to `min` until a few windows have
//   run at that concurrency, their lowest latency becomes the baseline, and the learned limit
//   is restored. A group that is busy from its first window probes at once (it may have
//   started congested). A probe costs about min/limit of a few windows per interval.
// - probe_interval 0 turns probes off (pure Gradient2): busy windows then move the baseline
//   too. Either way a window counts at no more than twice the baseline: the first windows of
//   a spike queue at many times it.
// - current() rounds down, as Netflix's limits do: the limit hovers just above tolerance x
//   capacity (4.8-5.3 on 4 slots), and rounding up would settle it a whole request higher.
// - An app-limited sample says nothing about capacity, so the limit does not move on it
//   (Gradient2).
// - Failures (the windowed sample's flags, windowed_limit.h): a window in which callers
//   abandoned exchanges (a timeout) cuts the limit as far as one window may, as if latency had
//   doubled, and teaches the baseline nothing; a window with fast failures (dropped, not
//   abandoned: 5xx, refused connects) may shrink the limit on its latency but never grows it.
//   Its latency excludes the failures.
//
// Thread safety: none (see limit.h).

#include <limits>
#include <optional>

#include "proxy/policy/limit.h"

namespace levee::policy {

class GradientLimit final : public Limit {
 public:
  GradientLimit(const LimitSettings& settings, std::uint32_t initial);

  std::uint32_t current() const override;
  std::uint32_t learned() const override;
  void on_sample(const Sample& sample) override;

  // The learned no-queueing latency (zero before the first sample); for tests and /state.
  Duration baseline() const;
  bool probing() const { return probe_.has_value(); }

 private:
  // Windows at the pinned concurrency a probe measures, and its bound when the load never lets
  // the concurrency fall that low (the probe then keeps the old baseline).
  static constexpr int probe_clean_windows = 3;
  static constexpr int probe_max_windows = 20;

  struct Probe {
    int windows = 0;
    int clean_windows = 0;
    double lowest_ns = std::numeric_limits<double>::infinity();
  };

  void continue_probe(const Sample& sample, double recent);

  GradientSettings settings_;
  double min_;
  double max_;
  double limit_;
  double baseline_ns_ = 0;  // 0 = no sample yet
  std::optional<TimePoint> next_probe_;  // unset until the first sample
  std::optional<Probe> probe_;           // set while the limit is pinned to min
};

}  // namespace levee::policy
