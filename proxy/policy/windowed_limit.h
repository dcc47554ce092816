#pragma once
// Decorator: aggregates samples per time window and feeds the inner limit one sample per
// window. Latency based algorithms need this: one slow request is noise, a window's mean is
// evidence. The window's sample:
//   rtt        mean of the samples that measured latency (successes and abandoned ones; fast
//              failures are left out: a 503 in a millisecond is no latency), or of the
//              failures when nothing else finished
//   in_flight  the largest in-flight count
//   abandoned  at least 1% of the window was abandoned by its callers (at least one)
//   dropped    abandoned, or at least 5% of the window failed fast
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
  std::uint32_t latencies_ = 0;
  std::uint32_t failures_ = 0;
  std::uint32_t abandoned_ = 0;
  Duration rtt_sum_{};
  Duration failure_rtt_sum_{};
  std::uint32_t max_in_flight_ = 0;
};

}  // namespace levee::policy
