#pragma once
// The arrivals of several flows, merged in time order for one sending thread.
//
// Each flow keeps its own ArrivalSequence (its share of its own schedule, as if it ran alone),
// so every flow is an independent open-model process; a min-heap on the next due time merges
// them, O(log flows) per arrival. Uniform flows are phase-shifted by the golden ratio's
// fractional multiples so that 200 flows at the same rate do not fire in one burst. Pure.

#include <cstdint>
#include <optional>
#include <queue>
#include <vector>

#include "schedule/arrivals.h"

namespace levee::load {

struct FlowArrival {
  Nanos at{0};
  std::uint16_t flow = 0;
};

class MergedArrivals {
 public:
  // `schedules` must outlive this object; flow i is schedules[i].
  MergedArrivals(const std::vector<const Schedule*>& schedules, ArrivalKind kind, unsigned thread, unsigned threads,
                 std::uint64_t seed);

  // The next due arrival of any flow, in time order (ties: lower flow first); nullopt at the end.
  std::optional<FlowArrival> next();
  // Arrivals expected over the whole run, this thread's share.
  double expected_count() const { return expected_; }

 private:
  struct Due {
    std::int64_t at_ns;
    std::uint16_t flow;
    bool operator>(const Due& other) const { return at_ns != other.at_ns ? at_ns > other.at_ns : flow > other.flow; }
  };
  void push_next(std::uint16_t flow);

  std::vector<ArrivalSequence> sequences_;
  std::priority_queue<Due, std::vector<Due>, std::greater<>> due_;
  double expected_ = 0;
};

}  // namespace levee::load
