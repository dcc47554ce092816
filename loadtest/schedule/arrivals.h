#pragma once
// The arrival times one sending thread owns.
//
// Uniform arrivals: thread k of n takes arrivals k, k+n, k+2n... of the schedule, so the threads
// together deliver it exactly. Poisson arrivals: each thread runs an independent unit-rate Poisson
// process stretched by n, and the sum of n such processes is a Poisson process at the full rate;
// mapping counts through Schedule::time_of keeps ramps correct. Pure; one per thread.

#include <cstdint>
#include <optional>
#include <random>

#include "schedule/schedule.h"

namespace levee::load {

enum class ArrivalKind { uniform, poisson };

class ArrivalSequence {
 public:
  // `offset` in [0, 1): shifts uniform arrivals by that fraction of one arrival, so flows that
  // start together do not all send at the same instants.
  ArrivalSequence(const Schedule& schedule, ArrivalKind kind, unsigned thread, unsigned threads,
                  std::uint64_t seed, double offset = 0);

  // The next due time, in order; nullopt when this thread's share is exhausted.
  std::optional<Nanos> next();

 private:
  const Schedule& schedule_;
  ArrivalKind kind_;
  unsigned threads_;
  double u_;  // position on the schedule's count axis
  std::mt19937_64 rng_;
  std::exponential_distribution<double> exponential_{1.0};
};

}  // namespace levee::load
