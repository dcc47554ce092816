#pragma once
// Retry budget: retries may be at most `ratio` x requests plus `min_per_second` x window,
// counted over a sliding window (Finagle / Linkerd style), so retries can never multiply load
// however often requests fail -- unlike a retry count, which triples load exactly when the
// service is already failing.
//
// Algorithm: the window is split into 10 slots; each slot counts the requests (deposits) and
// retries (withdrawals) that happened in it. A slot is reused when its time comes round
// again, which expires its tokens, so a busy period long ago cannot fund a retry storm now.
//   balance = min_per_second x window + ratio x requests(window) - retries(window)
// A retry may be spent when balance >= 1. Retries waiting in back-off are spent already: the
// caller calls try_spend() before it waits.
//
// Thread safety: all methods may be called concurrently. on_request() -- on every request's
// path -- is lock-free: each slot counter packs (slot epoch, count) into one 64-bit atomic
// updated by compare-exchange. try_spend() takes a short mutex so that two threads cannot
// both spend the last token.

#include <array>
#include <atomic>
#include <cstdint>
#include <mutex>

#include "proxy/policy/clock.h"
#include "proxy/policy/settings.h"

namespace levee::policy {

class RetryBudget {
 public:
  RetryBudget(const RetryBudgetSettings& settings, TimePoint now);

  // New ratio and floor apply at once; a new window length restarts the counts.
  void reconfigure(const RetryBudgetSettings& settings, TimePoint now);

  // A first attempt arrived: deposit `ratio` tokens.
  void on_request(TimePoint now);
  // A retry wants to go: spend one token if there is one. False: do not retry (answer the
  // caller with the error, or shed with reason retry_budget).
  bool try_spend(TimePoint now);
  // Tokens available now (may be fractional); for metrics.
  double balance(TimePoint now) const;

 private:
  static constexpr std::size_t slot_count = 10;

  struct Counts {
    std::uint64_t requests = 0;
    std::uint64_t retries = 0;
  };

  std::uint32_t epoch(TimePoint now) const;
  static void add(std::atomic<std::uint64_t>& slot, std::uint32_t epoch);
  Counts window_counts(std::uint32_t now_epoch) const;
  double balance_locked(TimePoint now) const;

  mutable std::mutex mu_;                 // try_spend and reconfigure
  RetryBudgetSettings settings_;          // guarded by mu_
  std::atomic<TimePoint::rep> origin_;    // epoch 0 starts here
  std::atomic<Duration::rep> slot_ns_;    // window / slot_count
  std::array<std::atomic<std::uint64_t>, slot_count> requests_{};
  std::array<std::atomic<std::uint64_t>, slot_count> retries_{};
};

}  // namespace levee::policy
