#pragma once
// Step search for a target's capacity: the highest constant rate it serves within a latency bound.
//
// Rates grow geometrically from `start` by `factor` while steps pass; after the first failing
// step the interval between the last passing and the first failing rate is bisected `refine`
// times. A step passes when nearly every request got a 2xx in time and the p99 latency is within
// the bound. Pure: the caller runs each step and reports what it measured, so tests need no
// target and no clock.

#include <optional>
#include <vector>

#include "common/duration.h"

namespace levee::load {

struct CapacitySearchConfig {
  double start = 100;  // req/s
  double factor = 1.5;
  int refine = 3;
  double max_rate = 50'000;
  Nanos latency_bound{std::chrono::milliseconds(100)};
  double min_goodput_ratio = 0.99;
};

struct StepResult {
  double rate = 0;
  double goodput_ratio = 0;  // users served in time / users offered
  Nanos p99{0};
  bool passed = false;
};

class CapacitySearch {
 public:
  explicit CapacitySearch(CapacitySearchConfig config);

  // The rate to try next; nullopt when the search is over.
  std::optional<double> next_rate() const;
  // Records the step at next_rate(); returns it with `passed` filled in.
  StepResult record(double goodput_ratio, Nanos p99);

  // The highest passing rate; nullopt if even the first step failed.
  std::optional<double> capacity() const { return best_; }
  // True when the search stopped at max_rate without a failure: the capacity is at least that.
  bool hit_max() const { return hit_max_; }
  const std::vector<StepResult>& steps() const { return steps_; }

 private:
  CapacitySearchConfig config_;
  std::optional<double> best_;
  std::optional<double> failed_;  // lowest failing rate
  double next_ = 0;
  int refined_ = 0;
  bool done_ = false;
  bool hit_max_ = false;
  std::vector<StepResult> steps_;
};

}  // namespace levee::load
