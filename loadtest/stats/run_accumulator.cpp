#include "stats/run_accumulator.h"

#include <algorithm>

namespace levee::load {

RunAccumulator::RunAccumulator(Nanos bucket, Nanos run_duration, std::span<const PhaseInfo> phases) {
  // The same slots as bucketize() and analyze() make from all records.
  series_.bucket = bucket;
  const std::int64_t width = std::max<std::int64_t>(bucket.count(), 1);
  series_.buckets.resize(static_cast<std::size_t>((run_duration.count() + width - 1) / width));
  for (const PhaseInfo& p : phases) phase_ends_.push_back(p.end);
  phases_.resize(std::max<std::size_t>(phases.size(), 1));
}

SlotStats& RunAccumulator::bucket_at(std::int64_t t) {
  const std::int64_t width = std::max<std::int64_t>(series_.bucket.count(), 1);
  const auto i = static_cast<std::size_t>(std::max<std::int64_t>(t, 0) / width) - first_bucket_;
  if (i >= series_.buckets.size()) series_.buckets.resize(i + 1);
  return series_.buckets[i];
}

SlotStats& RunAccumulator::phase_at(std::int64_t t) {
  for (std::size_t i = 0; i < phase_ends_.size(); ++i) {
    if (t < phase_ends_[i].count()) return phases_[i];
  }
  return phases_.back();
}

void RunAccumulator::add_user(const UserRecord& u) {
  file_user(bucket_at(u.arrival_ns), u);
  file_user(phase_at(u.arrival_ns), u);
}

void RunAccumulator::add_attempt(const AttemptRecord& a) {
  file_attempt(bucket_at(a.intended_ns), a);
  file_attempt(phase_at(a.intended_ns), a);
  if (a.outcome == Outcome::shed && (!series_.first_shed_end || a.end_ns < series_.first_shed_end->count()))
    series_.first_shed_end = Nanos{a.end_ns};
}

void RunAccumulator::merge(const RunAccumulator& other) {
  // Only into an accumulator that handed nothing over (the run's).
  const std::size_t offset = other.first_bucket_ - first_bucket_;
  const std::size_t size = offset + other.series_.buckets.size();
  if (size > series_.buckets.size()) series_.buckets.resize(size);
  for (std::size_t i = 0; i < other.series_.buckets.size(); ++i)
    series_.buckets[offset + i].merge(other.series_.buckets[i]);
  if (other.series_.first_shed_end && (!series_.first_shed_end || *other.series_.first_shed_end < *series_.first_shed_end))
    series_.first_shed_end = other.series_.first_shed_end;
  for (std::size_t i = 0; i < phases_.size() && i < other.phases_.size(); ++i) phases_[i].merge(other.phases_[i]);
}

void RunAccumulator::hand_over_before(std::int64_t t, RunAccumulator& into) {
  const std::int64_t width = std::max<std::int64_t>(series_.bucket.count(), 1);
  const auto end = static_cast<std::size_t>(std::max<std::int64_t>(t, 0) / width);
  if (end <= first_bucket_) return;
  const std::size_t count = std::min(end - first_bucket_, series_.buckets.size());
  if (first_bucket_ + count > into.series_.buckets.size()) into.series_.buckets.resize(first_bucket_ + count);
  for (std::size_t i = 0; i < count; ++i) {
    SlotStats& finished = into.series_.buckets[first_bucket_ + i];
    finished.merge(series_.buckets[i]);
    // Only the other threads' share is still to come: the room left for growth is waste.
    finished.latency.shrink_to_fit();
    finished.shed_latency.shrink_to_fit();
    finished.lag.shrink_to_fit();
  }
  series_.buckets.erase(series_.buckets.begin(), series_.buckets.begin() + static_cast<std::ptrdiff_t>(count));
  first_bucket_ = end;
}

RunAccumulator RunAccumulator::empty_like() const {
  RunAccumulator out = *this;
  out.series_.buckets.clear();
  out.series_.buckets.shrink_to_fit();
  out.series_.first_shed_end.reset();
  out.first_bucket_ = 0;
  for (SlotStats& p : out.phases_) p = SlotStats{};
  return out;
}

}  // namespace levee::load
