#pragma once
// --assert thresholds: "recovery_time<=2s", "overload_goodput>=0.8", "late_ratio<=1%", "p95<=200ms",
// "flow:b.goodput_ratio>=0.95", "flow:light.worst_goodput_ratio>=0.9", "flow:b@flood.p99<=50ms".
//
// A threshold names a metric of the run summary, a comparison and a value; durations are written
// with a unit and compared in seconds. Whether a flow name exists is checked against the plan
// (profile/flow_loader), not here, "80%" means 0.8. A duration metric that never happened
// ("never" recovered) counts as infinitely long. Pure: parsing returns an error message instead of
// throwing, so the CLI can turn it into exit code 2.

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace levee::load {

enum class MetricKind { duration, ratio, number };

// One figure of the run summary, as thresholds and reports see it.
struct Metric {
  std::string name;
  MetricKind kind = MetricKind::number;
  std::optional<double> value;  // seconds for durations; nullopt: never happened / not measurable
};

// The names --assert accepts, with their kinds.
std::span<const Metric> known_metrics();
// The names that may follow "flow:NAME." or "flow:NAME@PHASE." (see stats/flow_stats.h).
std::span<const Metric> known_flow_metrics();

enum class Comparison { less_equal, less, greater_equal, greater };

struct Threshold {
  std::string metric;
  Comparison comparison = Comparison::less_equal;
  double value = 0;
  std::string text;        // as written, for messages
  std::string value_text;  // the value part as written
};

// The threshold, or a message saying what is wrong with the text.
std::variant<Threshold, std::string> parse_threshold(std::string_view text);

struct ThresholdResult {
  Threshold threshold;
  bool passed = false;
  std::string message;  // "recovery_time = never (want <= 2s)"
};

ThresholdResult evaluate(const Threshold& threshold, std::span<const Metric> metrics);

// "1.23s", "never", "0.812", "45.2%": how a metric value is printed.
std::string format_metric(const Metric& metric);

}  // namespace levee::load
