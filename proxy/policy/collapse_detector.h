#pragma once
// Goodput-collapse detector: decides when an admission group enters and leaves recovery mode.
//
// Congestion collapse has a signature no single threshold sees: the service is busy (the
// group is saturated), requests wait long (queue waits above the CoDel target), and yet
// goodput -- successes per second -- falls. Per window of `window`:
//   goodput   = successes in the window / window length
//   busy      = share of ticks that found the group saturated >= busy_fraction
//   waits     = at least half the ticks found the oldest waiter above the target
//   peak      = max(goodput, peak * peak_decay)   -- a recent, slowly forgotten reference
// Enter recovery when busy && waits && goodput < (1 - goodput_drop) * peak.
// Leave after `recovery_windows` consecutive healthy windows: goodput back above that bar,
// or the group no longer busy (the spike is over). The peak keeps decaying in recovery, so a
// service whose capacity really shrank is not held in recovery forever.
//
// What recovery does (clamp the limit, force LIFO, shed waiters older than the target) is
// Admission's business; this class only reports the mode.
// Thread safety: none; Admission calls it under its mutex.

#include <cstdint>

#include "proxy/policy/clock.h"
#include "proxy/policy/settings.h"
#include "proxy/policy/snapshot.h"

namespace levee::policy {

class CollapseDetector {
 public:
  CollapseDetector(const CollapseSettings& settings, TimePoint now);

  void reconfigure(const CollapseSettings& settings);

  struct Tick {
    std::uint64_t successes = 0;  // cumulative successes since the detector was created
    bool busy = false;            // at its limit or queueing right now
    bool waits_high = false;      // oldest waiter above the target wait right now
  };
  // Returns true when the mode changed on this tick.
  bool on_tick(TimePoint now, const Tick& tick);

  Mode mode() const { return mode_; }
  double peak() const { return peak_; }           // successes per second
  double last_goodput() const { return goodput_; }

 private:
  bool close_window(TimePoint now);

  CollapseSettings settings_;
  Mode mode_ = Mode::normal;
  TimePoint window_start_;
  std::uint64_t successes_at_start_ = 0;
  std::uint64_t successes_now_ = 0;
  std::uint32_t ticks_ = 0;
  std::uint32_t busy_ticks_ = 0;
  std::uint32_t high_ticks_ = 0;
  double peak_ = 0;
  double goodput_ = 0;
  std::uint32_t healthy_windows_ = 0;
};

}  // namespace levee::policy
