#pragma once
// A consistent picture of one admission group, pulled by metrics at scrape time and by the
// admin /state endpoint. Counters are cumulative since the group was created.

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "proxy/policy/clock.h"
#include "proxy/policy/priority.h"
#include "proxy/policy/settings.h"
#include "proxy/policy/shed_reason.h"

namespace levee::policy {

enum class Mode : std::uint8_t {
  normal,
  recovery,  // collapse detected: limit clamped, LIFO forced, waiters older than target shed
};

constexpr std::string_view name(Mode mode) {
  return mode == Mode::recovery ? "recovery" : "normal";
}

struct Counters {
  std::uint64_t admitted = 0;           // permits granted, at once or from the queue
  std::uint64_t admitted_from_queue = 0;
  std::uint64_t queued = 0;             // tickets that entered the queue
  std::uint64_t succeeded = 0;          // released with Outcome::success
  std::uint64_t ignored = 0;            // released with Outcome::ignored
  std::uint64_t dropped = 0;            // released with Outcome::dropped
  std::uint64_t abandoned = 0;          // released with Outcome::abandoned
  // Shed decisions by priority class and reason (index with index(Priority), index(reason)).
  std::array<std::array<std::uint64_t, shed_reason_count>, priority_count> shed{};
  // Dry-run: what would have been shed (the request was admitted anyway), and how many would
  // have waited in the queue.
  std::array<std::uint64_t, shed_reason_count> would_shed{};
  std::uint64_t would_queue = 0;
  std::uint64_t recovery_entered = 0;   // times the collapse detector entered recovery

  std::uint64_t shed_total(ShedReason reason) const {
    std::uint64_t total = 0;
    for (const auto& by_reason : shed) total += by_reason[index(reason)];
    return total;
  }
};

// One flow as /state and metrics show it.
struct FlowStats {
  std::string label;            // the key as shown (hashed for hash: true), or a named flow's name
  std::uint64_t admitted = 0;   // recent, decayed (top flows) or since start (named flows)
  std::uint64_t shed = 0;
  std::uint32_t in_flight = 0;
  std::uint32_t queued = 0;
  double share = 0;             // of the group's recent admissions (top flows)
};

struct Snapshot {
  std::uint32_t limit = 0;             // effective limit (after any recovery clamp)
  std::uint32_t limit_algorithm = 0;   // what the limit algorithm alone says
  // The adaptive limit's floor (limit.min); 0 for a fixed limit, which has none. A limit that
  // sits at its floor for minutes means the algorithm reads the service as saturated.
  std::uint32_t limit_min = 0;
  std::uint32_t in_flight = 0;
  std::uint32_t queue_length = 0;
  Mode mode = Mode::normal;
  QueueOrder queue_order = QueueOrder::fifo;  // the order in effect now (never adaptive)
  bool codel_overloaded = false;
  bool dry_run = false;
  bool draining = false;
  Duration service_time{};     // recent mean service time (zero: no estimate yet)
  double drain_rate = 0;       // permits the group can turn over per second: limit / service
  Duration retry_after{};      // suggested Retry-After for a shed caller, before jitter
  double goodput_peak = 0;     // successes per second the collapse detector compares against
  Counters counters;
  // Fair admission (empty while off): the heaviest recent flows, heaviest first; and the
  // configured named flows, cumulative, with everything else as the first entry ("other").
  bool fair = false;
  std::uint32_t flows_active = 0;   // flows with a request in flight or queued
  std::vector<FlowStats> top_flows;
  std::vector<FlowStats> named_flows;
};

}  // namespace levee::policy
