#include "proxy/policy/windowed_limit.h"

#include <algorithm>

namespace levee::policy {

WindowedLimit::WindowedLimit(std::unique_ptr<Limit> inner, Duration window,
                             std::uint32_t min_samples)
    : inner_(std::move(inner)), window_(window), min_samples_(std::max<std::uint32_t>(min_samples, 1)) {}

void WindowedLimit::reset(TimePoint start) {
  started_ = true;
  window_start_ = start;
  count_ = 0;
  rtt_sum_ = Duration::zero();
  max_in_flight_ = 0;
  dropped_ = false;
}

void WindowedLimit::on_sample(const Sample& sample) {
  if (!started_) reset(sample.now);
  ++count_;
  rtt_sum_ += sample.rtt;
  max_in_flight_ = std::max(max_in_flight_, sample.in_flight);
  dropped_ = dropped_ || sample.dropped;

  const Duration open = sample.now - window_start_;
  if (open < window_ || (count_ < min_samples_ && open < 10 * window_)) return;
  inner_->on_sample(Sample{rtt_sum_ / count_, max_in_flight_, dropped_, sample.now});
  reset(sample.now);
}

}  // namespace levee::policy
