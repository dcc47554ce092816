#include "stats/thresholds.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <fmt/format.h>
#include <limits>

#include "common/duration.h"

namespace levee::load {

namespace {

const std::array<Metric, 22> metrics_table{{
    {"recovery_time", MetricKind::duration, {}},
    {"time_to_first_shed", MetricKind::duration, {}},
    {"overload_goodput", MetricKind::ratio, {}},
    {"goodput_ratio", MetricKind::ratio, {}},
    {"baseline_goodput_ratio", MetricKind::ratio, {}},
    {"late_ratio", MetricKind::ratio, {}},
    {"shed_ratio", MetricKind::ratio, {}},
    {"error_ratio", MetricKind::ratio, {}},
    {"timeout_ratio", MetricKind::ratio, {}},
    {"not_sent_ratio", MetricKind::ratio, {}},
    {"amplification", MetricKind::number, {}},
    {"goodput_deficit", MetricKind::number, {}},
    {"p50", MetricKind::duration, {}},
    {"p90", MetricKind::duration, {}},
    {"p95", MetricKind::duration, {}},
    {"p99", MetricKind::duration, {}},
    {"baseline_p99", MetricKind::duration, {}},
    {"overload_p99", MetricKind::duration, {}},
    {"recovery_p99", MetricKind::duration, {}},
    {"lag_p99", MetricKind::duration, {}},
    {"lag_max", MetricKind::duration, {}},
    {"recovery_set_aside", MetricKind::duration, {}},
}};

const std::array<Metric, 14> flow_metrics_table{{
    {"goodput_ratio", MetricKind::ratio, {}},
    {"worst_goodput_ratio", MetricKind::ratio, {}},
    {"offered", MetricKind::number, {}},
    {"goodput", MetricKind::number, {}},
    {"goodput_per_s", MetricKind::number, {}},
    {"goodput_per_capacity", MetricKind::ratio, {}},
    {"late_ratio", MetricKind::ratio, {}},
    {"shed_ratio", MetricKind::ratio, {}},
    {"timeout_ratio", MetricKind::ratio, {}},
    {"error_ratio", MetricKind::ratio, {}},
    {"p50", MetricKind::duration, {}},
    {"p90", MetricKind::duration, {}},
    {"p95", MetricKind::duration, {}},
    {"p99", MetricKind::duration, {}},
}};

const Metric* find_metric(std::span<const Metric> metrics, std::string_view name) {
  auto it = std::find_if(metrics.begin(), metrics.end(), [&](const Metric& m) { return m.name == name; });
  return it == metrics.end() ? nullptr : &*it;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

std::optional<double> parse_number(std::string_view s) {
  double v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || end != s.data() + s.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

std::string_view symbol(Comparison c) {
  switch (c) {
    case Comparison::less_equal: return "<=";
    case Comparison::less: return "<";
    case Comparison::greater_equal: return ">=";
    case Comparison::greater: return ">";
  }
  return "?";
}

}  // namespace

std::span<const Metric> known_metrics() { return metrics_table; }
std::span<const Metric> known_flow_metrics() { return flow_metrics_table; }

namespace {

// "flow:b@flood.goodput_ratio" -> the kind of goodput_ratio; an error message when malformed.
std::variant<const Metric*, std::string> flow_metric(std::string_view text, std::string_view name) {
  const std::string_view rest = name.substr(5);
  const auto dot = rest.rfind('.');
  if (dot == std::string_view::npos || dot == 0 || rest.front() == '@')
    return fmt::format("'{}': expected flow:NAME.METRIC or flow:NAME@PHASE.METRIC", text);
  const Metric* metric = find_metric(flow_metrics_table, rest.substr(dot + 1));
  if (metric == nullptr) {
    std::string names;
    for (const Metric& m : flow_metrics_table) names += (names.empty() ? "" : ", ") + m.name;
    return fmt::format("'{}': unknown flow metric '{}' (known: {})", text, rest.substr(dot + 1), names);
  }
  return metric;
}

}  // namespace

std::variant<Threshold, std::string> parse_threshold(std::string_view text) {
  std::size_t op = text.find_first_of("<>");
  if (op == std::string_view::npos) {
    return fmt::format("'{}': expected METRIC<=VALUE, METRIC>=VALUE, < or >", text);
  }
  Threshold t;
  t.text = std::string(trim(text));
  t.metric = std::string(trim(text.substr(0, op)));
  bool equal = op + 1 < text.size() && text[op + 1] == '=';
  if (text[op] == '<') t.comparison = equal ? Comparison::less_equal : Comparison::less;
  else t.comparison = equal ? Comparison::greater_equal : Comparison::greater;
  std::string_view value = trim(text.substr(op + (equal ? 2 : 1)));

  const Metric* metric = nullptr;
  if (t.metric.starts_with("flow:")) {
    auto found = flow_metric(text, t.metric);
    if (const auto* error = std::get_if<std::string>(&found)) return *error;
    metric = std::get<const Metric*>(found);
  } else {
    metric = find_metric(metrics_table, t.metric);
  }
  if (metric == nullptr) {
    std::string names;
    for (const Metric& m : metrics_table) names += (names.empty() ? "" : ", ") + m.name;
    return fmt::format("'{}': unknown metric '{}' (known: {})", text, t.metric, names);
  }
  if (value.empty()) return fmt::format("'{}': missing value", text);
  t.value_text = std::string(value);

  if (metric->kind == MetricKind::duration) {
    auto d = parse_duration(value);
    if (!d) return fmt::format("'{}': {} is a duration: write it with a unit, e.g. 2s or 500ms", text, t.metric);
    t.value = to_seconds(*d);
  } else if (value.back() == '%') {
    auto v = parse_number(value.substr(0, value.size() - 1));
    if (!v) return fmt::format("'{}': '{}' is not a percentage", text, value);
    t.value = *v / 100;
  } else {
    auto v = parse_number(value);
    if (!v) return fmt::format("'{}': '{}' is not a number", text, value);
    t.value = *v;
  }
  return t;
}

std::string format_metric(const Metric& m) {
  // Only events can fail to happen; a latency with no samples was simply not measured.
  if (!m.value) return m.name == "recovery_time" || m.name == "time_to_first_shed" ? "never" : "n/a";
  double v = *m.value;
  switch (m.kind) {
    case MetricKind::duration:
      return v < 1 ? fmt::format("{:.1f}ms", v * 1e3) : fmt::format("{:.2f}s", v);
    case MetricKind::ratio: return fmt::format("{:.3f}", v);
    case MetricKind::number: return fmt::format("{:.3g}", v);
  }
  return "?";
}

ThresholdResult evaluate(const Threshold& t, std::span<const Metric> metrics) {
  ThresholdResult result{t, false, {}};
  const Metric* m = find_metric(metrics, t.metric);
  std::optional<double> v;
  if (m != nullptr) v = m->value;
  // Something that never happened is infinitely far off; a ratio we could not measure fails.
  if (!v && m != nullptr && m->kind == MetricKind::duration) v = std::numeric_limits<double>::infinity();
  if (v) {
    switch (t.comparison) {
      case Comparison::less_equal: result.passed = *v <= t.value; break;
      case Comparison::less: result.passed = *v < t.value; break;
      case Comparison::greater_equal: result.passed = *v >= t.value; break;
      case Comparison::greater: result.passed = *v > t.value; break;
    }
  }
  std::string measured = m != nullptr ? format_metric(*m) : "not measured";
  result.message = fmt::format("{} = {} (want {} {})", t.metric, measured, symbol(t.comparison),
                               t.value_text);
  return result;
}

}  // namespace levee::load
