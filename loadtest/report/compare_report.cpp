// `levee-load compare`: two runs' JSON reports on one page, their lines overlaid (goodput, shed
// answers, p99 latency over time) and their headline metrics side by side: "service alone" vs
// "behind levee", the picture the demo's comparison table describes. Reads only the JSON reports
// (schema_version 1), so runs made on other machines or days compare as well. Charts use 500 ms
// slots of the 100 ms series, like the single-run report; phase bands are the first run's.
#include "report/compare_report.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>

#include "report/svg_chart.h"
#include "report/text_escape.h"

namespace levee::load {
namespace {

using Json = nlohmann::json;

constexpr std::size_t buckets_per_point = 5;
constexpr std::array<std::string_view, 2> run_colors{"#c62828", "#1a7f37"};  // A red, B green

double number(const Json& value) { return value.is_number() ? value.get<double>() : 0.0; }

std::string text_of(const Json& doc, const char* key) {
  const auto it = doc.find(key);
  return it != doc.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// What a run is called on the page: its label, else its name.
std::string title_of(const Json& run) {
  const std::string label = text_of(run, "label");
  return xml_escaped(label.empty() ? text_of(run, "name") : label);
}

// (t, per-second or ms value) every 500 ms: rates summed over the slot, latencies at their worst.
std::vector<std::pair<double, double>> points(const Json& run, const char* field, bool latency) {
  std::vector<std::pair<double, double>> xy;
  const Json& series = run.at("series");
  const double bucket_s = number(run.value("bucket_ms", Json(100))) / 1000;
  for (std::size_t i = 0; i < series.size(); i += buckets_per_point) {
    double value = 0;
    std::size_t n = 0;
    for (std::size_t j = i; j < std::min(series.size(), i + buckets_per_point); ++j, ++n) {
      const double v = number(series[j].at("stats").value(field, Json(0)));
      value = latency ? std::max(value, v) : value + v;
    }
    const double slot_s = bucket_s * static_cast<double>(n);
    xy.emplace_back(number(series[i].at("t_s")) + slot_s / 2, latency || slot_s <= 0 ? value : value / slot_s);
  }
  return xy;
}

double t_max_of(const Json& a, const Json& b) {
  double t = 1;
  for (const Json* run : {&a, &b})
    if (!run->at("series").empty()) t = std::max(t, number(run->at("series").back().at("t_s")) + 0.1);
  return t;
}

std::string chart(const Json& a, const Json& b, const char* field, bool latency, const char* unit, const char* what) {
  const std::array<std::vector<std::pair<double, double>>, 2> lines{points(a, field, latency), points(b, field, latency)};
  double y_max = 1;
  for (const auto& line : lines)
    for (const auto& [t, v] : line) y_max = std::max(y_max, v);
  Chart c(t_max_of(a, b), y_max * 1.1, unit);
  for (const Json& phase : a.value("phases", Json::array())) {
    const std::string role = text_of(phase, "role");
    c.band(number(phase.at("start_s")), number(phase.at("end_s")), xml_escaped(text_of(phase, "name")),
           role == "overload" ? "#fde2e2" : role == "baseline" ? "#e3f2e1" : role == "recovery" ? "#e2ecfb" : "#f3f3f3");
  }
  const Json* runs[] = {&a, &b};
  for (std::size_t i = 0; i < 2; ++i) {
    c.line(lines[i], run_colors[i], title_of(*runs[i]) + " " + what);
    const Json recovery = runs[i]->value("recovery", Json::object());
    if (recovery.value("recovered_at_s", Json()).is_number())
      c.marker(number(recovery.at("recovered_at_s")), title_of(*runs[i]) + " recovered", run_colors[i], static_cast<int>(i) + 1);
  }
  const Json recovery = a.value("recovery", Json::object());
  if (recovery.value("overload_end_s", Json()).is_number())
    c.marker(number(recovery.at("overload_end_s")), "overload ends", "#555", 0);
  return c.svg();
}

std::string metric_rows(const Json& a, const Json& b) {
  static constexpr std::array<std::pair<const char*, const char*>, 8> rows{{
      {"overload_goodput", "goodput during overload (share of capacity)"},
      {"recovery_time", "recovery time after the spike (s)"},
      {"goodput_ratio", "users served in time, whole run"},
      {"recovery_p99", "p99 latency after the spike (s)"},
      {"timeout_ratio", "attempts timed out"},
      {"shed_ratio", "attempts shed at once (429/503)"},
      {"amplification", "attempts per user"},
      {"late_ratio", "answers after the deadline"},
  }};
  const auto cell = [](const Json& run, const char* key) {
    const Json value = run.value("metrics", Json::object()).value(key, Json());
    if (!value.is_number()) return std::string(std::string_view(key) == "recovery_time" ? "never" : "n/a");
    return fmt::format("{:.3g}", value.get<double>());
  };
  std::string out;
  for (const auto& [key, label] : rows)
    out += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td></tr>", label, cell(a, key), cell(b, key));
  out += fmt::format("<tr><td>verdict</td><td>{}</td><td>{}</td></tr>", xml_escaped(text_of(a, "verdict")),
                     xml_escaped(text_of(b, "verdict")));
  return out;
}

}  // namespace

ComparePage compare_report(const nlohmann::json& a, const nlohmann::json& b) {
  for (const Json* run : {&a, &b}) {
    if (!run->is_object() || !run->contains("series") || !run->at("series").is_array())
      return {{}, "not a levee-load JSON report (no series)"};
    if (run->value("schema_version", Json(0)) != Json(1))
      return {{}, "unsupported schema_version (want 1)"};
  }
  const std::string ta = title_of(a), tb = title_of(b);
  std::string page = fmt::format(R"(<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>levee-load: {0} vs {1}</title>
<style>
body{{font:14px/1.45 system-ui,sans-serif;max-width:1060px;margin:24px auto;padding:0 16px;color:#222}}
h1{{font-size:22px}} table{{border-collapse:collapse}} td{{padding:2px 14px 2px 0}} td:first-child{{color:#555}}
.band{{font-size:11px;fill:#666}} .axis{{font-size:11px;fill:#777}} .marker{{font-size:12px}}
.legend span{{margin-right:14px;font-size:13px}}
</style></head><body>
<h1>levee-load: <span style="color:{2}">{0}</span> vs <span style="color:{3}">{1}</span></h1>
<h2>Goodput (2xx in time, by arrival)</h2>{4}
<h2>Shed answers (429/503)</h2>{5}
<h2>p99 latency (from intended send time, worst 100 ms of each 500 ms)</h2>{6}
<h2>Summary</h2><table><tr><td></td><td><b>{0}</b></td><td><b>{1}</b></td></tr>{7}</table>
</body></html>
)",
                                 ta, tb, run_colors[0], run_colors[1], chart(a, b, "goodput", false, "/s", "goodput"),
                                 chart(a, b, "shed", false, "/s", "shed"), chart(a, b, "p99_ms", true, "ms", "p99"),
                                 metric_rows(a, b));
  return {std::move(page), {}};
}

}  // namespace levee::load
