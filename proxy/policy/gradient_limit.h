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
// - The baseline is an exponential average that rises slowly (over long_window windows) and
//   falls ten times faster: sustained overload barely drags it up, a service that really got
//   slower is re-learned within a minute, and a service that got faster is noticed quickly.
//   (Envoy instead re-measures the minimum RTT by periodically pinning concurrency low; that
//   probe costs goodput every minute, which a sidecar should not do by default.)
// - A sample from a group using less than half its limit is app-limited: it says nothing
//   about capacity, so the limit does not move on it (Gradient2).
//
// Thread safety: none (see limit.h).

#include "proxy/policy/limit.h"

namespace levee::policy {

class GradientLimit final : public Limit {
 public:
  GradientLimit(const LimitSettings& settings, std::uint32_t initial);

  std::uint32_t current() const override;
  void on_sample(const Sample& sample) override;

  // The learned no-queueing latency (zero before the first sample); for tests and /state.
  Duration baseline() const;

 private:
  GradientSettings settings_;
  double min_;
  double max_;
  double limit_;
  double baseline_ns_ = 0;  // 0 = no sample yet
};

}  // namespace levee::policy
