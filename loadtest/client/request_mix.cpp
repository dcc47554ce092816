#include "client/request_mix.h"

#include <algorithm>

namespace levee::load {

RequestMix::RequestMix(const std::vector<WeightedRequest>& mix) {
  double total = 0;
  for (const auto& entry : mix) total += entry.weight;
  double running = 0;
  for (const auto& entry : mix) {
    running += entry.weight;
    cumulative_.push_back(running / total);
  }
  if (!cumulative_.empty()) cumulative_.back() = 1;  // no draw may fall past the end by rounding
}

std::size_t RequestMix::pick(double u) const {
  if (single()) return 0;
  const auto it = std::upper_bound(cumulative_.begin(), cumulative_.end(), u);
  return std::min(static_cast<std::size_t>(it - cumulative_.begin()), cumulative_.size() - 1);
}

}  // namespace levee::load
