#pragma once
// A cap on how many of something may be in progress at once -- here, levee's own retries to
// a service (RetryBudgetSettings::max_concurrent). The budget bounds retries per window; the
// cap bounds a burst inside it. A compare-exchange so that concurrent acquirers can never
// overshoot the cap (a load-then-increment would, by up to the number of threads).
//
// Thread safety: all methods may be called concurrently. The caller releases exactly once
// per successful try_acquire().

#include <atomic>
#include <cstdint>

namespace levee::policy {

class ConcurrencyCap {
 public:
  explicit ConcurrencyCap(std::uint32_t max) : max_(max) {}  // 0 = no cap

  void set_max(std::uint32_t max) { max_.store(max, std::memory_order_relaxed); }

  bool try_acquire() {
    const std::uint32_t max = max_.load(std::memory_order_relaxed);
    std::uint32_t current = current_.load(std::memory_order_relaxed);
    do {
      if (max != 0 && current >= max) return false;
    } while (!current_.compare_exchange_weak(current, current + 1, std::memory_order_acq_rel));
    return true;
  }
  void release() { current_.fetch_sub(1, std::memory_order_acq_rel); }
  std::uint32_t current() const { return current_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint32_t> max_;
  std::atomic<std::uint32_t> current_{0};
};

}  // namespace levee::policy
