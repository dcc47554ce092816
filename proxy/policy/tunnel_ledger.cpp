#include "proxy/policy/tunnel_ledger.h"

namespace levee::policy {

TunnelLedger::TunnelLedger(std::size_t routes)
    : routes_(routes), open_(std::make_unique<std::atomic<std::uint64_t>[]>(routes)) {}

bool TunnelLedger::try_reserve(std::uint64_t max) {
  std::uint64_t taken = taken_.load(std::memory_order_relaxed);
  do {
    if (max != 0 && taken >= max) return false;
  } while (!taken_.compare_exchange_weak(taken, taken + 1, std::memory_order_relaxed));
  return true;
}

void TunnelLedger::establish(std::size_t route) {
  if (route < routes_) open_[route].fetch_add(1, std::memory_order_relaxed);
}

void TunnelLedger::cancel() { taken_.fetch_sub(1, std::memory_order_relaxed); }

void TunnelLedger::close(std::size_t route) {
  if (route < routes_) open_[route].fetch_sub(1, std::memory_order_relaxed);
  taken_.fetch_sub(1, std::memory_order_relaxed);
}

std::uint64_t TunnelLedger::open(std::size_t route) const {
  return route < routes_ ? open_[route].load(std::memory_order_relaxed) : 0;
}

std::uint64_t TunnelLedger::open_total() const {
  std::uint64_t total = 0;
  for (std::size_t i = 0; i < routes_; ++i) total += open_[i].load(std::memory_order_relaxed);
  return total;
}

}  // namespace levee::policy
