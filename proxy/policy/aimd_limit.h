#pragma once
// Loss-based limit: additive increase, multiplicative decrease, as TCP Reno does with its
// congestion window.
//
// - A drop multiplies the limit by `backoff_ratio` -- a failure, fast or slow, an exchange its
//   caller abandoned (Sample::dropped covers both: loss is loss, and a fast 503 must never
//   grow the limit), or a success slower than `timeout` -- but at most once per round trip:
//   drops of requests that started before the last decrease were caused by the old, larger limit and must not punish the new one
//   (otherwise one burst of timeouts would collapse the limit to its minimum).
// - A good sample taken while the group used at least half its limit adds increase/limit, so
//   the limit grows by about `increase` per limit-worth of completions (one round trip).
//   Samples from a mostly idle group say nothing about capacity and do not grow it.
//
// Thread safety: none (see limit.h).

#include "proxy/policy/limit.h"

namespace levee::policy {

class AimdLimit final : public Limit {
 public:
  AimdLimit(const LimitSettings& settings, std::uint32_t initial);

  std::uint32_t current() const override;
  void on_sample(const Sample& sample) override;

 private:
  AimdSettings settings_;
  double min_;
  double max_;
  double limit_;
  TimePoint last_decrease_{};
  bool decreased_ = false;
};

}  // namespace levee::policy
