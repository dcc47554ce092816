#include "proxy/policy/windowed_limit.h"

#include <algorithm>

namespace levee::policy {
namespace {

// A window counts as failing when this share of its samples failed fast: sporadic 5xx of a
// healthy service must not freeze an adaptive limit, a failing service must not grow it.
constexpr double failing_share = 0.05;
// ...and as abandoned when this share of them was (at least one): a timeout is a strong signal,
// but one straggler among a thousand is not an overload.
constexpr double abandoned_share = 0.01;

}  // namespace

WindowedLimit::WindowedLimit(std::unique_ptr<Limit> inner, Duration window,
                             std::uint32_t min_samples)
    : inner_(std::move(inner)), window_(window), min_samples_(std::max<std::uint32_t>(min_samples, 1)) {}

void WindowedLimit::reset(TimePoint start) {
  started_ = true;
  window_start_ = start;
  count_ = 0;
  latencies_ = 0;
  failures_ = 0;
  abandoned_ = 0;
  rtt_sum_ = Duration::zero();
  failure_rtt_sum_ = Duration::zero();
  max_in_flight_ = 0;
}

void WindowedLimit::on_sample(const Sample& sample) {
  if (!started_) reset(sample.now);
  ++count_;
  max_in_flight_ = std::max(max_in_flight_, sample.in_flight);
  if (sample.dropped && !sample.abandoned) {
    // A fast failure is no latency evidence: a 503 in a millisecond would pull the mean down.
    ++failures_;
    failure_rtt_sum_ += sample.rtt;
  } else {
    ++latencies_;
    rtt_sum_ += sample.rtt;
    if (sample.abandoned) ++abandoned_;
  }

  const Duration open = sample.now - window_start_;
  if (open < window_ || (count_ < min_samples_ && open < 10 * window_)) return;
  Sample window;
  window.rtt = latencies_ > 0 ? rtt_sum_ / latencies_ : failure_rtt_sum_ / failures_;
  window.in_flight = max_in_flight_;
  window.now = sample.now;
  window.abandoned = abandoned_ > 0 && abandoned_ >= abandoned_share * count_;
  window.dropped = window.abandoned || failures_ >= failing_share * count_;
  inner_->on_sample(window);
  reset(sample.now);
}

}  // namespace levee::policy
