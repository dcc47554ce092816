#include "schedule/capacity_search.h"

#include <algorithm>

namespace levee::load {

CapacitySearch::CapacitySearch(CapacitySearchConfig config) : config_(config), next_(config.start) {
  if (config_.start <= 0 || config_.factor <= 1 || config_.max_rate < config_.start) done_ = true;
}

std::optional<double> CapacitySearch::next_rate() const {
  if (done_) return std::nullopt;
  return next_;
}

StepResult CapacitySearch::record(double goodput_ratio, Nanos p99) {
  StepResult step{next_, goodput_ratio, p99, goodput_ratio >= config_.min_goodput_ratio && p99 <= config_.latency_bound};
  steps_.push_back(step);
  if (step.passed) best_ = std::max(best_.value_or(0), step.rate);
  else failed_ = std::min(failed_.value_or(step.rate), step.rate);

  if (!failed_) {  // still growing
    if (step.rate >= config_.max_rate) {
      hit_max_ = true;
      done_ = true;
    } else {
      next_ = std::min(step.rate * config_.factor, config_.max_rate);
    }
    return step;
  }
  if (!best_ || refined_ >= config_.refine) {
    done_ = true;
    return step;
  }
  ++refined_;
  next_ = (*best_ + *failed_) / 2;
  return step;
}

}  // namespace levee::load
