#include "proxy/policy/collapse_detector.h"

#include <algorithm>

namespace levee::policy {
namespace {

// Abandoned exchanges a window needs before their share means anything: a quiet group's one
// timeout is not a collapse.
constexpr std::uint64_t min_abandoned = 5;

}  // namespace

CollapseDetector::CollapseDetector(const CollapseSettings& settings, TimePoint now)
    : settings_(settings), window_start_(now), last_tick_(now) {}

void CollapseDetector::reconfigure(const CollapseSettings& settings) {
  settings_ = settings;
  if (!settings_.enabled) {
    mode_ = Mode::normal;
    cause_ = Cause::none;
    healthy_windows_ = 0;
  }
}

bool CollapseDetector::on_tick(TimePoint now, const Tick& tick) {
  successes_now_ = tick.successes;
  abandoned_now_ = tick.abandoned;
  finished_now_ = tick.finished;
  release_safe_ = tick.release_safe;
  const Duration span = std::max(now - last_tick_, Duration::zero());
  last_tick_ = now;
  ticked_ += span;
  if (tick.busy) busy_for_ += span;
  if (tick.waits_high) high_for_ += span;
  if (tick.service_slow) slow_for_ += span;
  if (now - window_start_ < settings_.window) return false;
  return close_window(now);
}

bool CollapseDetector::close_window(TimePoint now) {
  const double seconds = to_seconds(now - window_start_);
  goodput_ = static_cast<double>(successes_now_ - successes_at_start_) / seconds;
  const std::uint64_t abandoned = abandoned_now_ - abandoned_at_start_;
  const std::uint64_t finished = finished_now_ - finished_at_start_;
  abandoned_share_ = finished > 0 ? static_cast<double>(abandoned) / static_cast<double>(finished) : 0;
  finished_rate_ = static_cast<double>(finished) / seconds;
  ++windows_;
  const auto ticked = static_cast<double>(ticked_.count());
  const bool busy = static_cast<double>(busy_for_.count()) >= settings_.busy_fraction * ticked;
  const bool waits_high = 2 * high_for_ >= ticked_;
  const bool slow = 2 * slow_for_ >= ticked_;
  const double bar = (1.0 - settings_.goodput_drop) * peak_;
  window_start_ = now;
  successes_at_start_ = successes_now_;
  abandoned_at_start_ = abandoned_now_;
  finished_at_start_ = finished_now_;
  ticked_ = busy_for_ = high_for_ = slow_for_ = Duration::zero();

  const bool callers_leave = abandoned >= min_abandoned && abandoned_share_ >= settings_.abandoned_share;
  const Mode before = mode_;
  if (mode_ == Mode::normal) {
    // Abandonment first: when both show, it is the stricter cause to leave.
    if (settings_.enabled && callers_leave) {
      mode_ = Mode::recovery;
      cause_ = Cause::abandoned;
    } else if (settings_.enabled && busy && waits_high && slow && peak_ > 0 && goodput_ < bar) {
      mode_ = Mode::recovery;
      cause_ = Cause::goodput_fall;
    }
    healthy_windows_ = 0;
  } else {
    if (callers_leave) cause_ = Cause::abandoned;
    const bool served = abandoned_share_ < settings_.abandoned_share / 2;
    const bool goodput_back = cause_ == Cause::goodput_fall && goodput_ >= bar;
    const bool healthy = served && (!busy || release_safe_ || goodput_back);
    healthy_windows_ = healthy ? healthy_windows_ + 1 : 0;
    if (healthy_windows_ >= settings_.recovery_windows) {
      mode_ = Mode::normal;
      cause_ = Cause::none;
    }
  }
  peak_ = std::max(goodput_, peak_ * settings_.peak_decay);
  return mode_ != before;
}

}  // namespace levee::policy
