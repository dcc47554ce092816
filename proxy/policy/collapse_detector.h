#pragma once
// Goodput-collapse detector: decides when an admission group enters and leaves recovery mode.
//
// Congestion collapse has two signatures, and a window of `window` is judged on both:
// - Goodput falls while demand is there. The service is busy (the group is saturated),
//   requests wait long (queue waits above the CoDel target), the service is slow (its recent
//   time well above its baseline), and yet successes per second fall: busy_fraction of the
//   window's time saturated, at least half of it with long waits and a slow service, and
//   goodput < (1 - goodput_drop) x peak, where peak = max(goodput, peak x peak_decay) is a
//   recent, slowly forgotten reference. A service that thrashes under concurrency looks so;
//   a limit algorithm that has just lowered the limit does not (its service is fast): a
//   clamp then would only pin the limit where the algorithm is trying to leave.
// - Callers leave before the answer. At least `abandoned_share` of the exchanges that
//   finished in the window were abandoned (Outcome::abandoned: the caller left, or its
//   deadline passed, while its request was at the service), and at least five of them. This
//   is the collapse whose queue is inside the service: the service completes at full rate,
//   so goodput as levee counts completions looks fine, busy and wait signals may be absent
//   (a limit far above the service's slots admits everyone at once), and every answer goes
//   to a caller who already left. Fast failures (Outcome::dropped) are not counted: a service
//   that fails fast is broken, not congested, and clamping it would change nothing.
// Leave after `recovery_windows` consecutive healthy windows. Healthy: callers are served
// (abandoned share under half the threshold) and either the demand is gone (the group not
// busy), or releasing the clamp is safe (the limit it would restore is within 1.5 x the clamp:
// an adaptive limit that has followed the service), or -- for a goodput fall only -- goodput
// is back above the bar. A collapse of abandoned exchanges is not left on goodput alone: its
// goodput is back *because* of the clamp, and releasing it under the same demand would refill
// the service's queue. The peak keeps decaying in recovery, so a service whose capacity really
// shrank is not held in recovery forever.
//
// What recovery does (clamp the limit, force LIFO, shed waiters older than the target) is
// Admission's business; this class reports the mode and why it was entered.
// Each tick's signals stand for the time since the tick before it, so the shares are shares of
// time whatever the tick rate: the plumbing ticks fast while a group is busy and slowly while
// it is not, and counting ticks would weigh the busy part of a window many times over.
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
    std::uint64_t abandoned = 0;  // cumulative Outcome::abandoned
    std::uint64_t finished = 0;   // cumulative success + dropped + abandoned
    bool release_safe = false;    // in recovery: the limit a release restores is near the clamp
    bool service_slow = true;     // the service's recent time is well above its baseline
  };

  enum class Cause : std::uint8_t { none, goodput_fall, abandoned };
  // Returns true when the mode changed on this tick.
  bool on_tick(TimePoint now, const Tick& tick);

  Mode mode() const { return mode_; }
  Cause cause() const { return cause_; }          // why recovery was entered (none: normal)
  double peak() const { return peak_; }           // successes per second
  double last_goodput() const { return goodput_; }
  double last_abandoned_share() const { return abandoned_share_; }
  double last_finished_rate() const { return finished_rate_; }  // exchanges per second
  std::uint64_t windows() const { return windows_; }  // windows closed so far

 private:
  bool close_window(TimePoint now);

  CollapseSettings settings_;
  Mode mode_ = Mode::normal;
  Cause cause_ = Cause::none;
  TimePoint window_start_;
  std::uint64_t successes_at_start_ = 0;
  std::uint64_t successes_now_ = 0;
  std::uint64_t abandoned_at_start_ = 0;
  std::uint64_t abandoned_now_ = 0;
  std::uint64_t finished_at_start_ = 0;
  std::uint64_t finished_now_ = 0;
  bool release_safe_ = false;
  TimePoint last_tick_;
  // Of the window so far: time covered by ticks, and the parts of it busy, waiting long, slow.
  Duration ticked_{};
  Duration busy_for_{};
  Duration high_for_{};
  Duration slow_for_{};
  double peak_ = 0;
  double goodput_ = 0;
  double abandoned_share_ = 0;
  double finished_rate_ = 0;
  std::uint32_t healthy_windows_ = 0;
  std::uint64_t windows_ = 0;
};

}  // namespace levee::policy
