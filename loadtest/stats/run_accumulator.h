#pragma once
// The run's slot aggregates built while it runs, so a long run keeps per-slot counters and
// histograms instead of every record: the 100 ms series (with the first shed) and the phase
// slots that analyze_aggregates() reads. A record is filed as soon as it is final (an attempt
// when its outcome is known, a user when its fate is). Filing is a sum, so the order records
// come in does not matter: the result equals bucketize() and the phase aggregation of analyze()
// over all records at the end. One writer per accumulator (a sending thread); merge() combines
// the threads' after the run. A thread's accumulator may also hand its finished buckets over to
// the run's now and then (hand_over_before), so a long series is held once, not once per thread.
// Pure.

#include <span>
#include <vector>

#include "stats/aggregate.h"
#include "stats/analysis.h"

namespace levee::load {

class RunAccumulator {
 public:
  RunAccumulator(Nanos bucket, Nanos run_duration, std::span<const PhaseInfo> phases);

  void add_user(const UserRecord& u);
  void add_attempt(const AttemptRecord& a);
  void merge(const RunAccumulator& other);
  // Adds the buckets before the one holding `t` to `into` and forgets them here. The caller
  // promises to file nothing before `t` any more (its oldest open user arrived at `t` or later).
  void hand_over_before(std::int64_t t, RunAccumulator& into);
  // The same slots without the run's preallocated buckets: a sending thread's.
  RunAccumulator empty_like() const;

  const Series& series() const { return series_; }
  const std::vector<SlotStats>& phases() const { return phases_; }

 private:
  SlotStats& bucket_at(std::int64_t t);
  SlotStats& phase_at(std::int64_t t);

  Series series_;              // series_.buckets[0] is bucket first_bucket_
  std::size_t first_bucket_ = 0;  // the buckets before it were handed over
  std::vector<Nanos> phase_ends_;
  std::vector<SlotStats> phases_;
};

}  // namespace levee::load
