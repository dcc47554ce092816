#pragma once
// Which flow keys were seen recently, in fixed memory: the doorkeeper of fair admission. A key
// earns a share of its own only by coming back; until then it shares the `new keys` flow, so
// a client that invents a key per request (or a million users each seen once) competes as one
// flow instead of taking a million shares.
//
// Two Bloom filters, 16 bits per remembered key and four probes each (false positives about
// 0.2% per filter when full): new keys go into the current one; once it holds `capacity` keys
// it becomes the previous one and an empty filter takes its place. A key is remembered for
// between `capacity` and 2 x `capacity` distinct arrivals -- under a flood of fresh keys at R
// per second, a returning client must come back within capacity / R seconds.
// Thread safety: none; Admission uses it under its mutex.

#include <cstdint>
#include <vector>

#include "proxy/policy/ticket.h"

namespace levee::policy {

class RecentKeys {
 public:
  explicit RecentKeys(std::uint32_t capacity);

  // True when the key was seen within the memory; remembers it either way.
  bool seen_before(FlowId key);

  std::size_t memory_bytes() const { return (current_.size() + previous_.size()) * sizeof(std::uint64_t); }

 private:
  bool contains(const std::vector<std::uint64_t>& bits, FlowId key) const;
  void insert(std::vector<std::uint64_t>& bits, FlowId key);

  std::uint32_t capacity_;
  std::uint64_t bit_mask_;
  std::vector<std::uint64_t> current_;
  std::vector<std::uint64_t> previous_;
  std::uint32_t in_current_ = 0;
};

}  // namespace levee::policy
