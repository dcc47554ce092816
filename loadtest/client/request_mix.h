#pragma once
// A request mix (profile `requests:`): several request templates, each sent to a share of the
// users in proportion to its weight, so a test can look like real traffic (mostly cheap reads, a
// few expensive writes). A user keeps its template for every retry. The pick is pure: the driver
// draws a number in [0, 1) from its seeded generator, so a run with the same seed sends the same
// mix. Without a mix every user sends the flow's one request (index 0).

#include <cstddef>
#include <vector>

#include "client/request_bytes.h"

namespace levee::load {

struct WeightedRequest {
  RequestTemplate request;
  double weight = 1;  // > 0; shares are weight / sum of weights
};

class RequestMix {
 public:
  RequestMix() = default;
  explicit RequestMix(const std::vector<WeightedRequest>& mix);

  // The template for a draw `u` in [0, 1): the first whose cumulative share exceeds it.
  std::size_t pick(double u) const;
  bool single() const { return cumulative_.size() <= 1; }

 private:
  std::vector<double> cumulative_;  // running share, the last one 1
};

}  // namespace levee::load
