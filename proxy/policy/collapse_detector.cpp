#include "proxy/policy/collapse_detector.h"

#include <algorithm>

namespace levee::policy {

CollapseDetector::CollapseDetector(const CollapseSettings& settings, TimePoint now)
    : settings_(settings), window_start_(now) {}

void CollapseDetector::reconfigure(const CollapseSettings& settings) {
  settings_ = settings;
  if (!settings_.enabled) {
    mode_ = Mode::normal;
    healthy_windows_ = 0;
  }
}

bool CollapseDetector::on_tick(TimePoint now, const Tick& tick) {
  successes_now_ = tick.successes;
  ++ticks_;
  if (tick.busy) ++busy_ticks_;
  if (tick.waits_high) ++high_ticks_;
  if (now - window_start_ < settings_.window) return false;
  return close_window(now);
}

bool CollapseDetector::close_window(TimePoint now) {
  const double seconds = to_seconds(now - window_start_);
  goodput_ = static_cast<double>(successes_now_ - successes_at_start_) / seconds;
  const bool busy = static_cast<double>(busy_ticks_) >= settings_.busy_fraction * ticks_;
  const bool waits_high = 2 * high_ticks_ >= ticks_;
  const double bar = (1.0 - settings_.goodput_drop) * peak_;
  window_start_ = now;
  successes_at_start_ = successes_now_;
  ticks_ = busy_ticks_ = high_ticks_ = 0;

  const Mode before = mode_;
  if (mode_ == Mode::normal) {
    if (settings_.enabled && busy && waits_high && peak_ > 0 && goodput_ < bar) {
      mode_ = Mode::recovery;
      healthy_windows_ = 0;
    }
    peak_ = std::max(goodput_, peak_ * settings_.peak_decay);
  } else {
    const bool healthy = goodput_ >= bar || !busy;
    healthy_windows_ = healthy ? healthy_windows_ + 1 : 0;
    if (healthy_windows_ >= settings_.recovery_windows) mode_ = Mode::normal;
    peak_ = std::max(goodput_, peak_ * settings_.peak_decay);
  }
  return mode_ != before;
}

}  // namespace levee::policy
