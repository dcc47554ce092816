#pragma once
// The run summary: per-phase figures, recovery, time to first shed, overload goodput, goodput
// deficit, the metrics thresholds are checked against, and whether the run is valid at all.
//
// A run is invalid (it proves nothing either way) when the baseline was unstable, the generator
// fell behind its schedule, or the overload never exceeded the target's capacity. Pure.

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "stats/aggregate.h"
#include "stats/recovery.h"
#include "stats/thresholds.h"

namespace levee::load {

enum class PhaseRole { warmup, baseline, overload, recovery, other };
std::string_view name_of(PhaseRole role);

struct PhaseInfo {
  std::string name;
  PhaseRole role = PhaseRole::other;
  Nanos start{0};
  Nanos end{0};
  double start_rate = 0;  // req/s
  double end_rate = 0;
};

struct ValidityConfig {
  Nanos max_lag_p99{std::chrono::milliseconds(5)};
  double max_not_sent_ratio = 0.01;
  double min_baseline_ratio = 0.95;  // the target must serve the baseline
  double min_baseline_second_ratio = 0.8;  // ... and every second of it
};

struct RunAnalysis {
  std::vector<SlotStats> phases;  // one per PhaseInfo
  SlotStats total;
  std::optional<std::size_t> baseline_phase;
  std::optional<Nanos> overload_start;
  std::optional<Nanos> overload_end;
  std::optional<Nanos> capacity_exceeded_at;  // when the schedule first asked more than capacity
  RecoveryBaseline baseline;
  Nanos recovery_p99_bound{0};
  RecoveryResult recovery;
  std::optional<Nanos> time_to_first_shed;
  std::optional<double> overload_goodput;  // goodput / min(offered, capacity) over the overload
  std::optional<double> goodput_deficit;   // good requests lost from the overload start on
  std::vector<Metric> metrics;
  bool valid = true;
  std::vector<std::string> invalid_reasons;
};

RunAnalysis analyze(std::span<const ThreadRecords> records, const Series& series,
                    std::span<const PhaseInfo> phases, std::optional<double> capacity,
                    const RecoveryConfig& recovery, const ValidityConfig& validity);

// The same from aggregates built while the run ran (RunAccumulator): `phase_stats` one per phase.
RunAnalysis analyze_aggregates(std::vector<SlotStats> phase_stats, const Series& series,
                               std::span<const PhaseInfo> phases, std::optional<double> capacity,
                               const RecoveryConfig& recovery, const ValidityConfig& validity);

// The first time the piecewise-linear rate exceeds `capacity`, if it ever does.
std::optional<Nanos> first_time_above(std::span<const PhaseInfo> phases, double capacity);

}  // namespace levee::load
