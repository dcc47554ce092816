#include "stats/aggregate.h"

#include <algorithm>

namespace levee::load {

std::uint64_t Counters::errors() const {
  std::uint64_t n = 0;
  for (std::size_t i = 0; i < outcome_count; ++i) {
    if (is_error(static_cast<Outcome>(i))) n += outcomes[i];
  }
  return n;
}

void Counters::add(const Counters& o) {
  offered += o.offered;
  goodput += o.goodput;
  late += o.late;
  failed += o.failed;
  attempts += o.attempts;
  sent += o.sent;
  retries += o.retries;
  for (std::size_t i = 0; i < outcome_count; ++i) outcomes[i] += o.outcomes[i];
}

void SlotStats::merge(const SlotStats& o) {
  counters.add(o.counters);
  latency.merge(o.latency);
  shed_latency.merge(o.shed_latency);
  lag.merge(o.lag);
}

void file_user(Counters& c, const UserRecord& u) {
  ++c.offered;
  switch (u.outcome) {
    case UserOutcome::good: ++c.goodput; break;
    case UserOutcome::late: ++c.late; break;
    case UserOutcome::failed: ++c.failed; break;
    case UserOutcome::pending: break;
  }
}

void file_user(SlotStats& s, const UserRecord& u) {
  file_user(s.counters, u);
  bool waited = u.outcome == UserOutcome::good || u.outcome == UserOutcome::late ||
                (u.outcome == UserOutcome::failed && u.last_outcome == Outcome::timeout);
  if (waited) s.latency.record(u.end_ns - u.arrival_ns);
}

void file_attempt(Counters& c, const AttemptRecord& a) {
  ++c.attempts;
  if (a.sent_ns >= 0) ++c.sent;
  if (a.attempt > 0) ++c.retries;
  ++c.outcomes[static_cast<std::size_t>(a.outcome)];
}

void file_attempt(SlotStats& s, const AttemptRecord& a) {
  file_attempt(s.counters, a);
  if (a.outcome == Outcome::shed) s.shed_latency.record(a.end_ns - a.intended_ns);
  s.lag.record(a.dispatch_ns - a.intended_ns);
}

std::vector<SlotStats> aggregate(std::span<const ThreadRecords> records, const SlotOf& slot_of,
                                 std::size_t min_slots) {
  std::vector<SlotStats> slots(min_slots);
  auto slot = [&](std::int64_t t) -> SlotStats& {
    std::size_t i = slot_of(t);
    if (i >= slots.size()) slots.resize(i + 1);
    return slots[i];
  };
  for (const ThreadRecords& thread : records) {
    for (const UserRecord& u : thread.users) file_user(slot(u.arrival_ns), u);
    for (const AttemptRecord& a : thread.attempts) file_attempt(slot(a.intended_ns), a);
  }
  return slots;
}

Series bucketize(std::span<const ThreadRecords> records, Nanos bucket, Nanos run_duration) {
  Series series;
  series.bucket = bucket;
  const std::int64_t width = std::max<std::int64_t>(bucket.count(), 1);
  auto min_slots = static_cast<std::size_t>((run_duration.count() + width - 1) / width);
  series.buckets = aggregate(
      records,
      [width](std::int64_t t) { return static_cast<std::size_t>(std::max<std::int64_t>(t, 0) / width); },
      min_slots);
  for (const ThreadRecords& thread : records) {
    for (const AttemptRecord& a : thread.attempts) {
      if (a.outcome != Outcome::shed) continue;
      if (!series.first_shed_end || a.end_ns < series.first_shed_end->count()) {
        series.first_shed_end = Nanos{a.end_ns};
      }
    }
  }
  return series;
}

}  // namespace levee::load
