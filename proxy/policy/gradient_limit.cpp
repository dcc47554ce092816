#include "proxy/policy/gradient_limit.h"

#include <algorithm>
#include <cmath>

namespace levee::policy {

GradientLimit::GradientLimit(const LimitSettings& settings, std::uint32_t initial)
    : settings_(settings.gradient),
      min_(std::max<double>(settings.min, 1)),
      max_(std::max<double>(settings.max, min_)),
      limit_(std::clamp<double>(initial, min_, max_)) {}

std::uint32_t GradientLimit::current() const {
  return static_cast<std::uint32_t>(std::lround(limit_));
}

Duration GradientLimit::baseline() const {
  return Duration{static_cast<Duration::rep>(baseline_ns_)};
}

void GradientLimit::on_sample(const Sample& sample) {
  const double recent = std::max<double>(static_cast<double>(sample.rtt.count()), 1.0);
  if (baseline_ns_ == 0) {
    baseline_ns_ = recent;
  } else {
    const double up = 1.0 / std::max<std::uint32_t>(settings_.long_window, 1);
    const double alpha = recent > baseline_ns_ ? up : std::min(1.0, 10.0 * up);
    baseline_ns_ += alpha * (recent - baseline_ns_);
  }

  if (2.0 * sample.in_flight < limit_) return;  // app-limited: no evidence about capacity

  const double gradient = std::clamp(settings_.tolerance * baseline_ns_ / recent, 0.5, 1.0);
  const double estimate = gradient < 1.0 ? limit_ * gradient : limit_ + std::sqrt(limit_);
  limit_ = (1.0 - settings_.smoothing) * limit_ + settings_.smoothing * estimate;
  limit_ = std::clamp(limit_, min_, max_);
}

}  // namespace levee::policy
