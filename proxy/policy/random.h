#pragma once
// Randomness as policy sees it.
//
// Jitter (Retry-After, retry back-off) must come from an injected source so tests can script
// it (tests/fakes/fake_random.h) and so there is no hidden global RNG. One virtual primitive
// (64 random bits); the derived helpers are shared by every implementation.
//
// SplitMixRandom is the one real implementation: SplitMix64 (Steele, Lea, Flood 2014). Its
// state is a counter advanced by a constant, so a single atomic fetch_add makes it safe and
// lock-free to share between I/O threads; the quality is ample for jitter (not for secrets).

#include <atomic>
#include <chrono>
#include <cstdint>

#include "proxy/policy/clock.h"

namespace levee::policy {

class Random {
 public:
  virtual ~Random() = default;
  // 64 uniformly distributed bits. Thread safety is the implementation's to document.
  virtual std::uint64_t next_u64() = 0;

  // Uniform double in [0, 1): the top 53 bits scaled, so every value is exactly representable.
  double uniform() { return static_cast<double>(next_u64() >> 11) * 0x1.0p-53; }
  // Uniform double in [lo, hi).
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
  // Uniform duration in [0, max]: "full jitter" for back-off and Retry-After spreading.
  Duration jitter(Duration max) {
    if (max <= Duration::zero()) return Duration::zero();
    return Duration{static_cast<Duration::rep>(uniform() * static_cast<double>(max.count() + 1))};
  }
};

// Thread safety: next_u64() may be called concurrently from any number of threads.
class SplitMixRandom final : public Random {
 public:
  // Seeded explicitly so a run can be reproduced; the plumbing seeds from its own entropy.
  explicit SplitMixRandom(std::uint64_t seed) : state_(seed) {}

  std::uint64_t next_u64() override {
    std::uint64_t z = state_.fetch_add(kGamma, std::memory_order_relaxed) + kGamma;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }

 private:
  static constexpr std::uint64_t kGamma = 0x9e3779b97f4a7c15ULL;
  std::atomic<std::uint64_t> state_;
};

}  // namespace levee::policy
