// The HTML report: one self-contained file (inline CSS and SVG, no scripts, no network), so it
// can be attached to a CI run and opened anywhere. Charts are drawn from 500 ms slots of the
// 100 ms series: smooth enough to read, fine enough to see a recovery.
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>

#include "report/report_data.h"
#include "report/svg_chart.h"

namespace levee::load {
namespace {

constexpr std::size_t buckets_per_point = 5;

struct Point {
  double t = 0;
  double offered = 0, goodput = 0, shed = 0, errors = 0;  // per second
  double p50 = 0, p99 = 0;                                // ms
};

std::vector<Point> points_of(const Series& series) {
  std::vector<Point> points;
  const double slot_seconds = to_seconds(series.bucket) * buckets_per_point;
  for (std::size_t i = 0; i < series.buckets.size(); i += buckets_per_point) {
    SlotStats slot;
    for (std::size_t j = i; j < std::min(series.buckets.size(), i + buckets_per_point); ++j) slot.merge(series.buckets[j]);
    const Counters& c = slot.counters;
    Point p;
    // Plotted at the slot's middle, so a change does not seem to start before its phase does.
    p.t = to_seconds(series.bucket * static_cast<std::int64_t>(i)) + slot_seconds / 2;
    p.offered = static_cast<double>(c.offered) / slot_seconds;
    p.goodput = static_cast<double>(c.goodput) / slot_seconds;
    p.shed = static_cast<double>(c.of(Outcome::shed)) / slot_seconds;
    p.errors = static_cast<double>(c.errors() + c.of(Outcome::timeout)) / slot_seconds;
    p.p50 = std::chrono::duration<double, std::milli>(slot.latency.percentile(0.5)).count();
    p.p99 = std::chrono::duration<double, std::milli>(slot.latency.percentile(0.99)).count();
    points.push_back(p);
  }
  return points;
}

// One series of the points, as the chart's (t, value) pairs.
std::vector<std::pair<double, double>> series_of(const std::vector<Point>& points, double Point::*field) {
  std::vector<std::pair<double, double>> xy;
  for (const Point& p : points) xy.emplace_back(p.t, p.*field);
  return xy;
}

std::string_view band_color(PhaseRole role) {
  switch (role) {
    case PhaseRole::overload: return "#fde2e2";
    case PhaseRole::baseline: return "#e3f2e1";
    case PhaseRole::recovery: return "#e2ecfb";
    default: return "#f3f3f3";
  }
}

std::string escape(std::string_view text) {
  std::string out;
  for (const char c : text) {
    if (c == '<') out += "&lt;";
    else if (c == '>') out += "&gt;";
    else if (c == '&') out += "&amp;";
    else out += c;
  }
  return out;
}

void decorate(Chart& chart, const ReportData& d) {
  for (const PhaseInfo& p : d.plan.phases) chart.band(to_seconds(p.start), to_seconds(p.end), p.name, band_color(p.role));
}

void mark_recovery(Chart& chart, const RunAnalysis& a) {
  if (a.overload_end) chart.marker(to_seconds(*a.overload_end), "overload ends", "#555", 0);
  if (a.recovery.recovered_at) chart.marker(to_seconds(*a.recovery.recovered_at), "recovered", "#1a7f37", 1);
}

constexpr std::array<std::string_view, 8> flow_colors{"#1a7f37", "#1565c0", "#d97706", "#6a1b9a",
                                                     "#c62828", "#00838f", "#5d4037", "#888"};

// Per-flow table, and each entry's goodput over time (500 ms slots, at most eight entries).
std::string flow_section(const ReportData& d, double t_max) {
  if (d.flows == nullptr) return "";
  auto ms = [](const Histogram& h) { return std::chrono::duration<double, std::milli>(h.percentile(0.99)).count(); };
  std::string rows;
  double rate_max = 1;
  std::vector<std::vector<std::pair<double, double>>> lines;
  const double slot_seconds = to_seconds(d.series.bucket) * buckets_per_point;
  for (const FlowEntry& f : d.flows->entries) {
    const Counters& c = f.stats.counters;
    const double ratio = c.offered > 0 ? static_cast<double>(c.goodput) / static_cast<double>(c.offered) : 0;
    rows += fmt::format("<tr><td>{}{}</td><td>{}</td><td>{}</td><td>{:.3f}</td><td>{}</td><td>{}</td><td>{}</td><td>{:.1f} ms</td></tr>",
                        escape(f.name), f.counted ? fmt::format(" ({} flows)", f.members) : "", c.offered, c.goodput, ratio,
                        f.counted && f.worst_goodput_ratio ? fmt::format("{} {:.3f}", escape(f.worst), *f.worst_goodput_ratio) : "",
                        c.of(Outcome::shed), c.of(Outcome::timeout), ms(f.stats.latency));
    std::vector<std::pair<double, double>> xy;
    for (std::size_t i = 0; i < f.series.size(); i += buckets_per_point) {
      std::uint64_t good = 0;
      for (std::size_t j = i; j < std::min(f.series.size(), i + buckets_per_point); ++j) good += f.series[j].goodput;
      xy.emplace_back(to_seconds(d.series.bucket * static_cast<std::int64_t>(i)) + slot_seconds / 2,
                      static_cast<double>(good) / slot_seconds);
      rate_max = std::max(rate_max, xy.back().second);
    }
    lines.push_back(std::move(xy));
  }
  Chart chart(t_max, rate_max * 1.1, "/s");
  decorate(chart, d);
  for (std::size_t i = 0; i < lines.size() && i < flow_colors.size(); ++i)
    chart.line(lines[i], flow_colors[i], escape(d.flows->entries[i].name) + " goodput");
  return fmt::format("<h2>Flows</h2><table><tr><td>flow</td><td>offered</td><td>goodput</td><td>goodput ratio</td>"
                     "<td>worst member</td><td>shed</td><td>timeouts</td><td>p99</td></tr>{}</table>"
                     "<h2>Goodput per flow (2xx in time, by arrival)</h2>{}",
                     rows, chart.svg());
}

}  // namespace

std::string html_report(const ReportData& d) {
  const RunAnalysis& a = d.analysis;
  const auto points = points_of(d.series);
  double t_max = d.series.buckets.empty() ? 1 : to_seconds(d.series.bucket * static_cast<std::int64_t>(d.series.buckets.size()));
  double rate_max = 1, latency_max = 1;
  for (const Point& p : points) {
    rate_max = std::max({rate_max, p.offered, p.goodput, p.shed, p.errors});
    latency_max = std::max(latency_max, p.p99);
  }
  Chart rates(t_max, rate_max * 1.1, "/s");
  decorate(rates, d);
  rates.line(series_of(points, &Point::offered), "#888", "offered (users/s)");
  rates.line(series_of(points, &Point::goodput), "#1a7f37", "goodput (2xx in time, by arrival)");
  rates.line(series_of(points, &Point::shed), "#d97706", "shed (429/503)");
  rates.line(series_of(points, &Point::errors), "#c62828", "errors + timeouts");
  mark_recovery(rates, a);
  Chart latency(t_max, latency_max * 1.1, "ms");
  decorate(latency, d);
  latency.line(series_of(points, &Point::p50), "#1565c0", "p50 latency");
  latency.line(series_of(points, &Point::p99), "#6a1b9a", "p99 latency");
  mark_recovery(latency, a);

  std::string metrics;
  for (const Metric& m : a.metrics) metrics += fmt::format("<tr><td>{}</td><td>{}</td></tr>", m.name, format_metric(m));
  std::string thresholds;
  for (const auto& t : d.thresholds)
    thresholds += fmt::format(R"(<li class="{}">{} — {}</li>)", t.passed ? "pass" : "fail", t.passed ? "pass" : "FAIL", escape(t.message));
  std::string reasons;
  for (const auto& r : a.invalid_reasons) reasons += fmt::format("<li>{}</li>", escape(r));
  std::string targets;
  for (const auto& t : d.plan.target_texts) targets += escape(t) + " ";

  return fmt::format(R"(<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>levee-load: {0}</title>
<style>
body{{font:14px/1.45 system-ui,sans-serif;max-width:1060px;margin:24px auto;padding:0 16px;color:#222}}
h1{{font-size:22px;margin-bottom:4px}} .sub{{color:#666;margin-top:0}}
.verdict{{display:inline-block;padding:4px 12px;border-radius:6px;font-weight:600;color:#fff}}
.passed{{background:#1a7f37}} .failed{{background:#c62828}} .invalid{{background:#8d6e00}}
table{{border-collapse:collapse}} td{{padding:2px 12px 2px 0}} td:first-child{{color:#555}}
.pass{{color:#1a7f37}} .fail{{color:#c62828;font-weight:600}}
.band{{font-size:11px;fill:#666}} .axis{{font-size:11px;fill:#777}} .marker{{font-size:12px}}
.legend span{{margin-right:14px;font-size:13px}} .cols{{display:flex;gap:40px;flex-wrap:wrap}}
</style></head><body>
<h1>levee-load: {0} {1}</h1>
<p class="sub">target {2} · capacity {3} · bucket 100 ms</p>
<p><span class="verdict {4}">{4}</span></p>
{5}
<h2>Throughput</h2>{6}
<h2>Latency (from intended send time)</h2>{7}
{10}
<div class="cols"><div><h2>Summary</h2><table>{8}</table></div>
<div><h2>Thresholds</h2><ul>{9}</ul></div></div>
</body></html>
)",
                     escape(d.plan.name), escape(d.plan.label), targets,
                     d.plan.capacity ? fmt::format("{:.0f} req/s", *d.plan.capacity) : std::string("not declared"),
                     d.verdict, reasons.empty() ? "" : "<h2>Why the run is invalid</h2><ul>" + reasons + "</ul>",
                     rates.svg(), latency.svg(), metrics, thresholds.empty() ? "<li>none</li>" : thresholds,
                     flow_section(d, t_max));
}

}  // namespace levee::load
