// The JSON report: the summary first (verdict, metrics, thresholds, phases), then the 100 ms
// series. Built as a document with nlohmann-json, so labels, names and targets from the command
// line or a profile come out as valid JSON whatever bytes they hold (invalid UTF-8 becomes
// U+FFFD). The text keeps one top-level member per line and one series or flow entry per line, so
// a person (or grep) can still read it.
#include <nlohmann/json.hpp>

#include <fmt/format.h>

#include <cmath>
#include <cstdlib>

#include "report/report_data.h"

namespace levee::load {
namespace {

// ordered: the report reads top-down (schema_version and verdict first, series last).
using Json = nlohmann::ordered_json;

// Bumped when a field changes meaning or shape; adding a field does not bump it.
constexpr int schema_version = 1;

// Figures are rounded before they go in, as the hand-written report printed them: "12.345", not
// every digit a double carries. The library prints the shortest text that reads back as the same
// double, so rounding through fmt's text gives exactly these digits. Not finite or absent: null.
Json rounded(std::optional<double> value, std::string_view spec) {
  if (!value || !std::isfinite(*value)) return nullptr;
  return std::strtod(fmt::format(fmt::runtime(spec), *value).c_str(), nullptr);
}
Json decimals(double value, int places) { return rounded(value, places == 1 ? "{:.1f}" : places == 2 ? "{:.2f}" : "{:.3f}"); }
// Six significant digits: ratios, rates and other figures of any size.
Json significant(std::optional<double> value) { return rounded(value, "{:.6g}"); }

Json ms(Nanos d) { return decimals(std::chrono::duration<double, std::milli>(d).count(), 3); }

Json slot_json(const SlotStats& s, Nanos bucket) {
  const Counters& c = s.counters;
  Json outcomes = Json::object();
  for (std::size_t i = 0; i < outcome_count; ++i) {
    if (c.outcomes[i] != 0) outcomes[std::string(outcome_names[i])] = c.outcomes[i];
  }
  const std::optional<double> per_second =
      bucket.count() > 0 ? std::optional(static_cast<double>(c.goodput) / to_seconds(bucket)) : std::nullopt;
  return Json{{"offered", c.offered},
              {"goodput", c.goodput},
              {"late", c.late},
              {"failed", c.failed},
              {"attempts", c.attempts},
              {"sent", c.sent},
              {"retries", c.retries},
              {"shed", c.of(Outcome::shed)},
              {"timeouts", c.of(Outcome::timeout)},
              {"errors", c.errors()},
              {"outcomes", std::move(outcomes)},
              {"p50_ms", ms(s.latency.percentile(0.5))},
              {"p90_ms", ms(s.latency.percentile(0.9))},
              {"p95_ms", ms(s.latency.percentile(0.95))},
              {"p99_ms", ms(s.latency.percentile(0.99))},
              {"max_ms", ms(s.latency.max())},
              {"shed_p99_ms", ms(s.shed_latency.percentile(0.99))},
              {"lag_p99_ms", ms(s.lag.percentile(0.99))},
              {"goodput_per_s", significant(per_second)}};
}

std::optional<double> goodput_ratio(const Counters& c) {
  if (c.offered == 0) return std::nullopt;
  return static_cast<double>(c.goodput) / static_cast<double>(c.offered);
}

Json phase_head(const PhaseInfo& p, int rate_places) {
  return Json{{"name", p.name},
              {"role", name_of(p.role)},
              {"start_s", decimals(to_seconds(p.start), 3)},
              {"end_s", decimals(to_seconds(p.end), 3)},
              {"start_rate", decimals(p.start_rate, rate_places)},
              {"end_rate", decimals(p.end_rate, rate_places)}};
}

// A flow entry: its name and ratios, then the same stats as "total" at the same level, then its
// own phases.
Json flow_json(const FlowEntry& f) {
  Json phases = Json::array();
  for (std::size_t i = 0; i < f.phases.size() && i < f.phase_stats.size(); ++i) {
    const PhaseInfo& p = f.phases[i];
    Json phase = phase_head(p, 2);
    phase["goodput_ratio"] = significant(goodput_ratio(f.phase_stats[i].counters));
    phase["worst"] = i < f.phase_worst.size() ? f.phase_worst[i] : std::string();
    phase["worst_goodput_ratio"] =
        significant(i < f.phase_worst_goodput_ratio.size() ? f.phase_worst_goodput_ratio[i] : std::nullopt);
    phase["stats"] = slot_json(f.phase_stats[i], p.end - p.start);
    phases.push_back(std::move(phase));
  }
  const Nanos length = f.phases.empty() ? Nanos{0} : f.phases.back().end - f.phases.front().start;
  Json entry{{"name", f.name},
             {"members", f.members},
             {"worst", f.worst},
             {"worst_goodput_ratio", significant(f.worst_goodput_ratio)},
             {"goodput_ratio", significant(goodput_ratio(f.stats.counters))}};
  const Json stats = slot_json(f.stats, length);
  for (auto it = stats.begin(); it != stats.end(); ++it) entry[it.key()] = *it;
  entry["phases"] = std::move(phases);
  return entry;
}

Json seconds_or_null(const std::optional<Nanos>& d) { return d ? significant(to_seconds(*d)) : Json(nullptr); }

Json summary(const ReportData& d) {
  const RunAnalysis& a = d.analysis;
  Json metrics = Json::object();
  for (const Metric& m : a.metrics) metrics[m.name] = significant(m.value);
  Json thresholds = Json::array();
  for (const auto& t : d.thresholds)
    thresholds.push_back(Json{{"assert", t.threshold.text}, {"passed", t.passed}, {"message", t.message}});
  Json phases = Json::array();
  for (std::size_t i = 0; i < d.plan.phases.size() && i < a.phases.size(); ++i) {
    const PhaseInfo& p = d.plan.phases[i];
    const double seconds = to_seconds(p.end - p.start);
    Json phase = phase_head(p, 1);
    phase["goodput_per_s"] = decimals(seconds > 0 ? static_cast<double>(a.phases[i].counters.goodput) / seconds : 0.0, 1);
    phase["stats"] = slot_json(a.phases[i], p.end - p.start);
    phases.push_back(std::move(phase));
  }
  Json series = Json::array();
  for (std::size_t i = 0; i < d.series.buckets.size(); ++i) {
    series.push_back(Json{{"t_s", decimals(to_seconds(d.series.bucket * static_cast<std::int64_t>(i)), 3)},
                          {"stats", slot_json(d.series.buckets[i], d.series.bucket)}});
  }
  Json doc{{"schema_version", schema_version},
           {"name", d.plan.name},
           {"label", d.plan.label},
           {"targets", d.plan.target_texts},
           {"capacity", significant(d.plan.capacity)},
           {"verdict", d.verdict},
           {"valid", a.valid},
           {"invalid_reasons", a.invalid_reasons},
           {"metrics", std::move(metrics)},
           {"thresholds", std::move(thresholds)},
           {"recovery", Json{{"overload_end_s", seconds_or_null(a.overload_end)},
                             {"recovered_at_s", seconds_or_null(a.recovery.recovered_at)},
                             {"time_s", seconds_or_null(a.recovery.time)},
                             {"baseline_goodput_ratio", significant(a.baseline.goodput_ratio)},
                             {"baseline_p99_ms", ms(a.baseline.p99)},
                             {"p99_bound_ms", ms(a.recovery_p99_bound)}}},
           {"total", slot_json(a.total, Nanos{0})}};
  if (d.flows != nullptr) {
    Json flows = Json::array();
    for (const FlowEntry& f : d.flows->entries) flows.push_back(flow_json(f));
    doc["flows"] = std::move(flows);
  }
  doc["phases"] = std::move(phases);
  doc["bucket_ms"] = std::chrono::duration_cast<std::chrono::milliseconds>(d.series.bucket).count();
  doc["series"] = std::move(series);
  return doc;
}

// Compact JSON; bytes that are not UTF-8 are replaced rather than thrown on: a report with a
// U+FFFD in a label beats no report after a run of many minutes.
std::string dump(const Json& value) { return value.dump(-1, ' ', false, Json::error_handler_t::replace); }

// One top-level member per line; the long arrays (series, flows) one element per line.
std::string line_per_member(const Json& doc) {
  std::string out = "{";
  for (auto it = doc.begin(); it != doc.end(); ++it) {
    if (it != doc.begin()) out += ",\n";
    out += dump(it.key()) + ":";
    const bool long_array = (it.key() == "series" || it.key() == "flows") && !it->empty();
    if (!long_array) {
      out += dump(*it);
      continue;
    }
    out += "[\n";
    for (auto element = it->begin(); element != it->end(); ++element)
      out += (element == it->begin() ? "" : ",\n") + dump(*element);
    out += "]";
  }
  return out + "}\n";
}

}  // namespace

std::string json_report(const ReportData& data) { return line_per_member(summary(data)); }

}  // namespace levee::load
