#include "proxy/policy/upstream_health.h"

#include <algorithm>

namespace levee::policy {

UpstreamHealth::UpstreamHealth(HealthThresholds thresholds, TimePoint now)
    : thresholds_{std::max(1u, thresholds.healthy), std::max(1u, thresholds.unhealthy)}, verdict_since_(now) {}

bool UpstreamHealth::record(bool passed, std::string_view failure, TimePoint now) {
  const bool was_healthy = healthy_;
  if (passed) {
    failures_in_a_row_ = 0;
    ++passes_in_a_row_;
    if (!ever_passed_ || passes_in_a_row_ >= thresholds_.healthy) healthy_ = true;
    ever_passed_ = true;
  } else {
    passes_in_a_row_ = 0;
    ++failures_in_a_row_;
    last_failure_ = failure.empty() ? "probe failed" : std::string(failure);
    if (failures_in_a_row_ >= thresholds_.unhealthy) healthy_ = false;
  }
  if (healthy_ == was_healthy) return false;
  verdict_since_ = now;
  return true;
}

}  // namespace levee::policy
