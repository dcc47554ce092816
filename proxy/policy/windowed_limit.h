#pragma once
// Decorator: aggregates samples per time window and feeds the inner limit one sample per
// window -- the mean RTT, the largest in-flight count and whether anything dropped. Latency
// based algorithms need this: one slow request is noise, a window's mean is evidence.
//
// A window closes at the first sample at or after its end once it holds `min_samples`
// samples; a quiet window stays open up to 10 x its length and then closes with what it has.
// (Netflix's WindowedLimit discards quiet windows instead, which leaves a low-traffic or
// slow service -- or one probed at low concurrency -- without any limit updates at all.)
// Loss-based limits (AIMD) are not windowed: they must react to a drop at once.
//
// Thread safety: none (see limit.h).

#include <cstdint>
#include <memory>

#include "proxy/policy/limit.h"

namespace levee::policy {

class WindowedLimit final : public Limit {
 public:
  WindowedLimit(std::unique_ptr<Limit> inner, Duration window, std::uint32_t min_samples);

  std::uint32_t current() const override { return inner_->current(); }
  std::uint32_t learned() const override { return inner_->learned(); }
  void on_sample(const Sample& sample) override;

  const Limit& inner() const { return *inner_; }

 private:
  void reset(TimePoint start);

  std::unique_ptr<Limit> inner_;
  Duration window_;
  std::uint32_t min_samples_;
  bool started_ = false;
  TimePoint window_start_{};
  std::uint32_t count_ = 0;
  Duration rtt_sum_{};
  std::uint32_t max_in_flight_ = 0;
  bool dropped_ = false;
};

}  // namespace levee::policy
