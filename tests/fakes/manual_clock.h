#pragma once
// A Clock that moves only when a test says so. Starts an hour past the epoch so that
// "now - something" never underflows and the epoch keeps its meaning of "unset".
//
// Thread safety: now() and advance() may race (atomic), so stress tests can share one.

#include <atomic>
#include <chrono>

#include "proxy/policy/clock.h"

namespace levee::testing {

class ManualClock final : public policy::Clock {
 public:
  ManualClock() = default;
  explicit ManualClock(policy::TimePoint start) : now_(start.time_since_epoch().count()) {}

  policy::TimePoint now() const override {
    return policy::TimePoint{policy::Duration{now_.load(std::memory_order_acquire)}};
  }
  // Moves time forward and returns the new now.
  policy::TimePoint advance(policy::Duration by) {
    return policy::TimePoint{
        policy::Duration{now_.fetch_add(by.count(), std::memory_order_acq_rel) + by.count()}};
  }
  void set(policy::TimePoint to) { now_.store(to.time_since_epoch().count()); }

 private:
  std::atomic<policy::Duration::rep> now_{
      std::chrono::duration_cast<policy::Duration>(std::chrono::hours(1)).count()};
};

}  // namespace levee::testing
