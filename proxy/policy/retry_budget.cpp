#include "proxy/policy/retry_budget.h"

#include <algorithm>

namespace levee::policy {

namespace {

constexpr std::uint32_t epoch_of(std::uint64_t packed) {
  return static_cast<std::uint32_t>(packed >> 32);
}
constexpr std::uint64_t count_of(std::uint64_t packed) { return packed & 0xffffffffu; }

Duration::rep slot_length(const RetryBudgetSettings& settings, std::size_t slots) {
  return std::max<Duration::rep>(settings.window.count() / static_cast<Duration::rep>(slots), 1);
}

}  // namespace

RetryBudget::RetryBudget(const RetryBudgetSettings& settings, TimePoint now)
    : settings_(settings),
      origin_(now.time_since_epoch().count()),
      slot_ns_(slot_length(settings, slot_count)) {}

void RetryBudget::reconfigure(const RetryBudgetSettings& settings, TimePoint now) {
  const std::lock_guard lock(mu_);
  const bool restart = settings.window != settings_.window;
  settings_ = settings;
  if (!restart) return;
  slot_ns_.store(slot_length(settings, slot_count));
  origin_.store(now.time_since_epoch().count());
  for (auto& slot : requests_) slot.store(0);
  for (auto& slot : retries_) slot.store(0);
}

std::uint32_t RetryBudget::epoch(TimePoint now) const {
  const auto since = now.time_since_epoch().count() - origin_.load(std::memory_order_relaxed);
  // Epochs start at 1 so that an untouched slot (packed 0) never looks current.
  return static_cast<std::uint32_t>(std::max<Duration::rep>(since, 0) /
                                    slot_ns_.load(std::memory_order_relaxed)) + 1;
}

void RetryBudget::add(std::atomic<std::uint64_t>& slot, std::uint32_t epoch) {
  std::uint64_t current = slot.load(std::memory_order_relaxed);
  for (;;) {
    const std::uint32_t stored = epoch_of(current);
    // Same epoch, or a thread with a slightly later `now` already moved the slot on: count
    // into it. An older epoch: the slot's tokens have expired; start it afresh.
    const bool reuse = static_cast<std::int32_t>(epoch - stored) <= 0;
    const std::uint64_t next =
        reuse ? current + 1 : (static_cast<std::uint64_t>(epoch) << 32 | 1u);
    if (slot.compare_exchange_weak(current, next, std::memory_order_relaxed)) return;
  }
}

RetryBudget::Counts RetryBudget::window_counts(std::uint32_t now_epoch) const {
  Counts counts;
  const auto fresh = [now_epoch](std::uint64_t packed) {
    const std::uint32_t age = now_epoch - epoch_of(packed);  // wraps safely
    return epoch_of(packed) != 0 && age < slot_count;
  };
  for (std::size_t i = 0; i < slot_count; ++i) {
    const std::uint64_t requests = requests_[i].load(std::memory_order_relaxed);
    const std::uint64_t retries = retries_[i].load(std::memory_order_relaxed);
    if (fresh(requests)) counts.requests += count_of(requests);
    if (fresh(retries)) counts.retries += count_of(retries);
  }
  return counts;
}

void RetryBudget::on_request(TimePoint now) {
  const std::uint32_t e = epoch(now);
  add(requests_[e % slot_count], e);
}

double RetryBudget::balance_locked(TimePoint now) const {
  const Counts counts = window_counts(epoch(now));
  return settings_.min_per_second * to_seconds(settings_.window) +
         settings_.ratio * static_cast<double>(counts.requests) -
         static_cast<double>(counts.retries);
}

double RetryBudget::balance(TimePoint now) const {
  const std::lock_guard lock(mu_);
  return balance_locked(now);
}

bool RetryBudget::try_spend(TimePoint now) {
  const std::lock_guard lock(mu_);
  if (balance_locked(now) < 1.0) return false;
  const std::uint32_t e = epoch(now);
  add(retries_[e % slot_count], e);
  return true;
}

}  // namespace levee::policy
