#include "proxy/policy/transfer_rate.h"

#include <algorithm>

namespace levee::policy {

namespace {

// How long `bytes` last at `rate` bytes per second, rounded up: the window may not be judged
// failed before that.
Duration time_bought(std::uint64_t bytes, std::uint64_t rate) {
  constexpr std::uint64_t ns_per_second = 1'000'000'000;
  const std::uint64_t whole = bytes / rate;
  const std::uint64_t rest = bytes % rate;
  // Far more than any window: saturate rather than overflow the nanoseconds.
  if (whole >= (std::uint64_t{1} << 32)) return Duration::max();
  return Duration(static_cast<Duration::rep>(whole * ns_per_second + (rest * ns_per_second + rate - 1) / rate));
}

}  // namespace

TransferRate::TransferRate(const TransferRateSettings& settings, TimePoint start)
    : settings_(settings), start_(start), window_start_(start), free_time_(settings.grace) {}

TransferVerdict TransferRate::check(TimePoint now) {
  if (paused_at_) return TransferVerdict::ok;
  if (settings_.max_duration > Duration::zero() && now - start_ > settings_.max_duration)
    return TransferVerdict::too_long;
  if (settings_.min_bytes_per_second == 0 || now < window_end()) return TransferVerdict::ok;
  const Duration measured = now - window_start_ - free_time_;
  if (time_bought(window_bytes_, settings_.min_bytes_per_second) < measured) return TransferVerdict::too_slow;
  window_start_ = now;
  free_time_ = Duration::zero();
  window_bytes_ = 0;
  return TransferVerdict::ok;
}

TimePoint TransferRate::next_check() const {
  TimePoint next = TimePoint::max();
  if (paused_at_) return next;
  // Just past the deadline: check() fails only once it is exceeded.
  if (settings_.max_duration > Duration::zero()) next = start_ + settings_.max_duration + Duration(1);
  if (settings_.min_bytes_per_second > 0) next = std::min(next, window_end());
  return next;
}

void TransferRate::pause(TimePoint now) {
  if (!paused_at_) paused_at_ = now;
}

void TransferRate::resume(TimePoint now) {
  if (!paused_at_) return;
  const Duration paused_for = now - *paused_at_;
  paused_at_.reset();
  start_ += paused_for;
  window_start_ += paused_for;
}

}  // namespace levee::policy
