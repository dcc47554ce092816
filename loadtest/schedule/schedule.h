#pragma once
// The arrival schedule of a run: phases of constant rate or linear ramps, as pure arithmetic.
//
// N(t), the expected number of arrivals by time t, is piecewise quadratic (linear within a
// constant phase, quadratic within a ramp). Request u is due when N(t) = u, solved directly for
// each u from the start of its phase, so no error accumulates over a long phase: the millionth
// arrival is as exact as the first. Immutable; shared by every sending thread.

#include <cstddef>
#include <optional>
#include <vector>

#include "common/duration.h"

namespace levee::load {

struct RateSegment {
  Nanos duration{0};
  double start_rate = 0;  // req/s at the segment's start
  double end_rate = 0;    // req/s at its end; equal to start_rate for a constant phase
};

class Schedule {
 public:
  explicit Schedule(std::vector<RateSegment> segments);

  Nanos duration() const { return Nanos{starts_.back()}; }
  // Expected arrivals over the whole schedule.
  double total_count() const { return counts_.back(); }
  // Expected arrivals in [0, t).
  double count_at(Nanos t) const;
  // The time at which the u-th arrival (counting from 0) is due; nullopt when u is past the end.
  std::optional<Nanos> time_of(double u) const;
  double rate_at(Nanos t) const;
  // The rate as t is approached from below: at a segment's end, that segment's end rate.
  double rate_before(Nanos t) const;
  // Index of the segment containing t (the last one for t >= duration()).
  std::size_t segment_at(Nanos t) const;
  Nanos segment_start(std::size_t i) const { return Nanos{starts_[i]}; }
  const std::vector<RateSegment>& segments() const { return segments_; }

 private:
  std::vector<RateSegment> segments_;
  std::vector<std::int64_t> starts_;  // ns; one more entry than segments: the end
  std::vector<double> counts_;        // N at each start; one more entry than segments
};

// The sum of several schedules (flows sent together): breaks at every input's segment boundary;
// within each piece every input is linear, so the sum is exact.
Schedule sum_schedules(const std::vector<const Schedule*>& schedules);

}  // namespace levee::load
