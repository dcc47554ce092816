#include "proxy/policy/aimd_limit.h"

#include <algorithm>
#include <cmath>

namespace levee::policy {

AimdLimit::AimdLimit(const LimitSettings& settings, std::uint32_t initial)
    : settings_(settings.aimd),
      min_(std::max<double>(settings.min, 1)),
      max_(std::max<double>(settings.max, min_)),
      limit_(std::clamp<double>(initial, min_, max_)) {}

std::uint32_t AimdLimit::current() const {
  return static_cast<std::uint32_t>(std::floor(limit_));
}

void AimdLimit::on_sample(const Sample& sample) {
  const bool drop = sample.dropped || sample.rtt > settings_.timeout;
  if (drop) {
    const TimePoint started = sample.now - sample.rtt;
    if (decreased_ && started < last_decrease_) return;  // already backed off for this one
    limit_ = std::max(min_, std::floor(limit_ * settings_.backoff_ratio));
    last_decrease_ = sample.now;
    decreased_ = true;
    return;
  }
  if (2.0 * sample.in_flight >= limit_) {
    limit_ = std::min(max_, limit_ + settings_.increase / limit_);
  }
}

}  // namespace levee::policy
