#pragma once
// Turns the run's records into counters and histograms per time slot (100 ms buckets, or phases).
//
// User-level figures (offered, goodput, late, failed, latency) are filed under the user's
// intended arrival: "of the users who arrived in this slot, how many were served in time".
// Attempt-level figures (attempts, sent, retries, outcomes, shed latency, schedule lag) are filed
// under the attempt's own intended time. Pure: records in, numbers out.

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <vector>

#include "stats/histogram.h"
#include "stats/record.h"

namespace levee::load {

struct Counters {
  std::uint64_t offered = 0;  // user requests due
  std::uint64_t goodput = 0;  // users with a 2xx within their deadline
  std::uint64_t late = 0;     // users whose 2xx came after the deadline
  std::uint64_t failed = 0;   // users without any 2xx
  std::uint64_t attempts = 0;  // attempts due, first tries and retries
  std::uint64_t sent = 0;      // attempts that went on a connection
  std::uint64_t retries = 0;   // attempts with attempt number > 0
  std::array<std::uint64_t, outcome_count> outcomes{};

  std::uint64_t of(Outcome o) const { return outcomes[static_cast<std::size_t>(o)]; }
  std::uint64_t errors() const;  // outcomes that are neither ok, shed nor timeout
  void add(const Counters& other);
};

struct SlotStats {
  Counters counters;
  Histogram latency;       // users that got a 2xx or gave up on a timeout: end - arrival
  Histogram shed_latency;  // shed attempts: end - intended
  Histogram lag;           // attempts dispatched: dispatch - intended

  void merge(const SlotStats& other);
};

// Everything recorded by one sending thread.
struct ThreadRecords {
  std::span<const AttemptRecord> attempts;
  std::span<const UserRecord> users;
};

// How one record counts, the single rule every aggregation uses (the run's, the flows').
void file_user(Counters& c, const UserRecord& u);
void file_user(SlotStats& s, const UserRecord& u);
void file_attempt(Counters& c, const AttemptRecord& a);
void file_attempt(SlotStats& s, const AttemptRecord& a);

// Maps a time (ns from start) to a slot index; slots grow to fit.
using SlotOf = std::function<std::size_t(std::int64_t)>;

std::vector<SlotStats> aggregate(std::span<const ThreadRecords> records, const SlotOf& slot_of,
                                 std::size_t min_slots);

struct Series {
  Nanos bucket{std::chrono::milliseconds(100)};
  std::vector<SlotStats> buckets;
  std::optional<Nanos> first_shed_end;  // earliest end of a shed attempt
};

Series bucketize(std::span<const ThreadRecords> records, Nanos bucket, Nanos run_duration);

}  // namespace levee::load
