#pragma once
// The pace a streamed body must keep while its request holds the service's capacity.
//
// A body larger than the buffering limits streams (the upload to the service, the download to
// the client) with the request's admission permit held, so a client that sends or reads a byte
// a second would hold a slot of the service for ever. This rule says when to give up on it:
//
//   - a minimum average rate, measured over windows: after `grace` from the start, each window
//     of at least `window` must have moved min_bytes_per_second x its length. A window ends at
//     the first check at or after `window` from its start, so a check that comes late measures
//     the average over a longer window (one write that took 20 s is judged on its 20 s, not
//     failed by the time it ended). A window that passes starts the next one at that check.
//   - optionally, a total deadline for the whole transfer (a slow but steady trickle of a huge
//     body meets the rate for ever).
//
// Only the client's time counts: while the relay waits on the other side (the service producing
// the download, or taking the upload), the rule is paused, so a slow service never makes its
// client look slow.
//
// Rates, not an inactivity timeout, because a byte every few seconds resets any per-read
// timer. The caller checks after each read or write, and also at next_check() (a timer), so a
// transfer that stopped altogether, or one write that never completes, is judged as well: it
// is cut within two windows.
//
// Pure: time comes in as `now`. Not thread-safe; one per transfer, on that transfer's thread.

#include "proxy/policy/clock.h"

#include <cstdint>
#include <optional>

namespace levee::policy {

struct TransferRateSettings {
  std::uint64_t min_bytes_per_second = 0;  // 0: no minimum rate
  Duration window = std::chrono::seconds(5);
  Duration grace = std::chrono::seconds(5);  // free time at the start, before the first window
  Duration max_duration = Duration::zero();  // the whole transfer; zero: no total deadline

  bool enabled() const { return min_bytes_per_second > 0 || max_duration > Duration::zero(); }
};

enum class TransferVerdict : std::uint8_t {
  ok,
  too_slow,  // a window ended below the minimum rate
  too_long,  // the total deadline passed
};

class TransferRate {
 public:
  TransferRate(const TransferRateSettings& settings, TimePoint start);

  // After a read or write moved `bytes` (zero is fine: a completion that moved nothing).
  void record(std::uint64_t bytes) { window_bytes_ += bytes; }
  // At each completion and when the caller's timer fires. Ends the current window when it is
  // long enough: a failed one is the verdict, a passed one starts the next at `now`. Once it
  // returned anything but ok, the transfer is over and the rule should not be asked again.
  TransferVerdict check(TimePoint now);
  // When to check() again if no operation completes before: the end of the current window, or
  // the total deadline when that comes first. TimePoint::max() when the rule is off or paused.
  TimePoint next_check() const;

  // While the relay waits on the other side: the time until resume() is nobody's (check() says
  // ok, and the window and the total deadline move later by it). Both may be repeated.
  void pause(TimePoint now);
  void resume(TimePoint now);
  bool paused() const { return paused_at_.has_value(); }

 private:
  // The window is judged at or after this point.
  TimePoint window_end() const { return window_start_ + free_time_ + settings_.window; }

  TransferRateSettings settings_;
  TimePoint start_;
  TimePoint window_start_;
  Duration free_time_;  // the grace for the first window, zero for the later ones
  std::uint64_t window_bytes_ = 0;
  std::optional<TimePoint> paused_at_;
};

}  // namespace levee::policy
