#include "proxy/policy/recent_keys.h"

#include <algorithm>
#include <bit>

namespace levee::policy {

namespace {
constexpr int probes = 4;
constexpr std::uint64_t bits_per_key = 16;

// The key is already a keyed hash; probes take it apart and remix it (double hashing).
std::uint64_t probe_position(FlowId key, int probe) {
  const std::uint64_t second = (key >> 32 | key << 32) * 0x9e3779b97f4a7c15ULL | 1;
  return key + static_cast<std::uint64_t>(probe) * second;
}
}  // namespace

RecentKeys::RecentKeys(std::uint32_t capacity) : capacity_(std::max<std::uint32_t>(capacity, 1)) {
  const std::uint64_t bits = std::bit_ceil(static_cast<std::uint64_t>(capacity_) * bits_per_key);
  bit_mask_ = bits - 1;
  current_.assign(std::max<std::uint64_t>(bits / 64, 1), 0);
  previous_.assign(current_.size(), 0);
}

bool RecentKeys::contains(const std::vector<std::uint64_t>& bits, FlowId key) const {
  for (int p = 0; p < probes; ++p) {
    const std::uint64_t at = probe_position(key, p) & bit_mask_;
    if ((bits[at / 64] >> (at % 64) & 1) == 0) return false;
  }
  return true;
}

void RecentKeys::insert(std::vector<std::uint64_t>& bits, FlowId key) {
  for (int p = 0; p < probes; ++p) {
    const std::uint64_t at = probe_position(key, p) & bit_mask_;
    bits[at / 64] |= std::uint64_t{1} << (at % 64);
  }
}

bool RecentKeys::seen_before(FlowId key) {
  if (contains(current_, key)) return true;
  const bool seen = contains(previous_, key);
  if (in_current_ >= capacity_) {
    current_.swap(previous_);
    std::fill(current_.begin(), current_.end(), 0);
    in_current_ = 0;
  }
  insert(current_, key);
  ++in_current_;
  return seen;
}

}  // namespace levee::policy
