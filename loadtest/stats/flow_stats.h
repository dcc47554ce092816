#pragma once
// Per-flow figures of a run with `flows:`: one report entry per declared flow, a `count: N`
// flow summarised as one entry (all members together, plus its worst member by goodput ratio),
// each with its own phases and a counters-only series on the run's buckets (for the charts and
// the flows CSV). Also the `flow:` metrics --assert checks:
//
//   flow:NAME.METRIC          NAME a flow, a count: group or one of its members (light-17)
//   flow:NAME@PHASE.METRIC    over one of the flow's own phases
//   flow:all.METRIC           all flows together; flow:all@PHASE over the run's phases (time bands)
//
// METRIC: goodput_ratio, worst_goodput_ratio (a group's worst member; a flow's own ratio),
// offered, goodput, goodput_per_s, goodput_per_capacity (goodput_per_s / capacity), late_ratio, shed_ratio, timeout_ratio, error_ratio, p50, p99.
// Pure: records in, numbers out. Users carry their flow; an attempt is its user's.

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "profile/flow_plan.h"
#include "stats/aggregate.h"
#include "stats/thresholds.h"

namespace levee::load {

struct FlowEntry {
  std::string name;
  std::size_t members = 1;
  bool counted = false;                // a count: group
  SlotStats stats;                     // all members together, whole run
  std::vector<PhaseInfo> phases;       // the flow's own (a group's members share them)
  std::vector<SlotStats> phase_stats;  // one per phase, members together
  std::vector<std::string> phase_worst;  // per phase: the worst member then, and its ratio
  std::vector<std::optional<double>> phase_worst_goodput_ratio;
  std::string worst;                   // the member with the lowest goodput ratio
  std::optional<double> worst_goodput_ratio;
  std::vector<Counters> series;        // per bucket of the run's series, members together
};

struct FlowAnalysis {
  std::vector<FlowEntry> entries;
  std::vector<Metric> metrics;  // every flow: metric, for thresholds
};

// The name that stands for all flows together in flow: metrics; no flow may take it.
inline constexpr std::string_view all_flows = "all";

struct FlowRun {
  const std::vector<FlowPlan>& flows;
  const std::vector<FlowGroup>& groups;
  const std::vector<PhaseInfo>& bands;  // the run's phases
  std::optional<double> capacity;
  Nanos bucket{std::chrono::milliseconds(100)};
  Nanos duration{0};
};

FlowAnalysis analyze_flows(std::span<const ThreadRecords> records, const FlowRun& run);

}  // namespace levee::load
