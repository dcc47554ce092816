#include "proxy/policy/gradient_limit.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace levee::policy {

GradientLimit::GradientLimit(const LimitSettings& settings, std::uint32_t initial)
    : settings_(settings.gradient),
      min_(std::max<double>(settings.min, 1)),
      max_(std::max<double>(settings.max, min_)),
      limit_(std::clamp<double>(initial, min_, max_)) {}

std::uint32_t GradientLimit::current() const {
  return probe_ ? static_cast<std::uint32_t>(min_) : learned();
}

std::uint32_t GradientLimit::learned() const {
  // Rounded down, as Netflix's limits do: the limit hovers just above tolerance x capacity, and
  // rounding up would admit one request more than the service can take.
  return static_cast<std::uint32_t>(std::floor(limit_));
}

Duration GradientLimit::baseline() const {
  return Duration{static_cast<Duration::rep>(baseline_ns_)};
}

void GradientLimit::on_sample(const Sample& sample) {
  const double recent = std::max<double>(static_cast<double>(sample.rtt.count()), 1.0);
  // A group using less than half its limit is app-limited: the limit is not what holds it
  // back, so its latency is the service's own, but it says nothing about capacity.
  const bool busy = 2.0 * sample.in_flight >= limit_;
  const bool probing_enabled = settings_.probe_interval > Duration::zero();
  if (probing_enabled) {
    // A group that starts busy may start congested: probe at once. One that starts calm has
    // a fair baseline already and probes a full interval later.
    if (!next_probe_) next_probe_ = busy ? sample.now : sample.now + settings_.probe_interval;
    // Only a busy group probes: a calm one's baseline is its own latency, and pinning its
    // limit would queue requests for nothing.
    if (!probe_ && busy && sample.now >= *next_probe_) probe_ = Probe{};
  }
  if (probe_) {
    continue_probe(sample, recent);
    return;
  }

  const double up = 1.0 / std::max<std::uint32_t>(settings_.long_window, 1);
  if (sample.abandoned) {
    // Callers gave up: the strongest overload signal there is. Cut as far as one window may
    // (the gradient's floor), busy or not, and learn no baseline from the window: its
    // latency is a lower bound, cut short by the callers.
    limit_ = std::clamp((1.0 - settings_.smoothing) * limit_ + settings_.smoothing * limit_ * 0.5, min_, max_);
    return;
  }
  if (baseline_ns_ == 0) {
    baseline_ns_ = recent;
  } else if (recent < baseline_ns_) {
    baseline_ns_ += std::min(1.0, 10.0 * up) * (recent - baseline_ns_);
  } else if (!busy || !probing_enabled) {
    // A window far above the baseline is queueing, not a slower service: it pulls no harder
    // than one at twice the baseline.
    baseline_ns_ += up * (std::min(recent, 2.0 * baseline_ns_) - baseline_ns_);
  }

  if (!busy) return;  // no evidence about capacity

  const double gradient = std::clamp(settings_.tolerance * baseline_ns_ / recent, 0.5, 1.0);
  double estimate = gradient < 1.0 ? limit_ * gradient : limit_ + std::sqrt(limit_);
  // A failing window never grows the limit: a service answering 503 in a millisecond looks
  // roomy, and more concurrency would only fail faster.
  if (sample.dropped) estimate = std::min(estimate, limit_);
  limit_ = (1.0 - settings_.smoothing) * limit_ + settings_.smoothing * estimate;
  limit_ = std::clamp(limit_, min_, max_);
}

void GradientLimit::continue_probe(const Sample& sample, double recent) {
  // Requests admitted before the pin still finish in the first windows; only windows run at
  // the pinned concurrency measure the service without a queue.
  if (sample.in_flight <= min_) {
    probe_->lowest_ns = std::min(probe_->lowest_ns, recent);
    ++probe_->clean_windows;
  }
  ++probe_->windows;
  if (probe_->clean_windows < probe_clean_windows && probe_->windows < probe_max_windows) return;
  if (probe_->clean_windows > 0) baseline_ns_ = probe_->lowest_ns;
  probe_.reset();
  next_probe_ = sample.now + settings_.probe_interval;
}

}  // namespace levee::policy
