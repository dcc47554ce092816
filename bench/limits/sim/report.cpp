#include "bench/limits/sim/report.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "bench/limits/sim/metrics.h"

namespace levee::sim {
namespace {

constexpr int chart_width = 1000;
constexpr int chart_height = 220;
constexpr int margin_left = 60;
constexpr int margin_bottom = 24;
constexpr std::size_t buckets_per_point = 5;  // 500 ms points: smooth enough to read

std::string seconds(double s) { return s == never ? std::string("never") : fmt::format("{:.1f}s", s); }

std::string_view color_of(std::string_view algorithm) {
  if (algorithm == "fixed-W") return "#555";
  if (algorithm == "fixed-200") return "#c62828";
  if (algorithm == "aimd") return "#d97706";
  if (algorithm == "gradient") return "#1565c0";
  return "#1a7f37";
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

// One chart: time on x; y linear or logarithmic (limits span 1..1000).
class Chart {
 public:
  Chart(double t_max, double y_max, bool log_scale, std::string unit)
      : t_max_(std::max(t_max, 1.0)), y_max_(std::max(y_max, 1.0)), log_(log_scale), unit_(std::move(unit)) {}

  double x(double t) const { return margin_left + (chart_width - margin_left - 10) * t / t_max_; }
  double y(double v) const {
    const double span = chart_height - margin_bottom - 5;
    const double f = log_ ? std::log10(std::clamp(v, 1.0, y_max_)) / std::log10(y_max_) : std::min(v, y_max_) / y_max_;
    return 5 + span * (1 - f);
  }

  void line(const std::vector<std::pair<double, double>>& points, std::string_view color, std::string_view name,
            bool dashed = false) {
    std::string path;
    for (const auto& [t, v] : points) path += fmt::format("{}{:.1f},{:.1f}", path.empty() ? "M" : " L", x(t), y(v));
    body_ += fmt::format(R"(<path d="{}" fill="none" stroke="{}" stroke-width="{}"{}><title>{}</title></path>)", path,
                         color, dashed ? 1.5 : 2, dashed ? R"( stroke-dasharray="5,4")" : "", escape(name));
    legend_ += fmt::format(R"(<span style="color:{}">&#9632; {}</span> )", color, escape(name));
  }
  void marker(double t, std::string_view label) {
    body_ += fmt::format(R"(<line x1="{0:.1f}" x2="{0:.1f}" y1="5" y2="{1}" stroke="#999" stroke-dasharray="3,3"/>)"
                         R"(<text x="{2:.1f}" y="16" class="marker">{3}</text>)",
                         x(t), chart_height - margin_bottom, x(t) + 3, escape(label));
  }
  std::string svg() const {
    std::string axes;
    std::vector<double> ticks;
    if (log_) {
      for (double decade = 1; decade <= y_max_; decade *= 10) {
        for (const double m : {1.0, 2.0, 5.0}) {
          if (decade * m <= y_max_) ticks.push_back(decade * m);
        }
      }
    } else {
      for (int i = 0; i <= 4; ++i) ticks.push_back(y_max_ * i / 4);
    }
    for (const double v : ticks) {
      axes += fmt::format(R"(<line x1="{}" x2="{}" y1="{:.1f}" y2="{:.1f}" stroke="#eee"/>)"
                          R"(<text x="4" y="{:.1f}" class="axis">{:.0f}{}</text>)",
                          margin_left, chart_width - 10, y(v), y(v), y(v) + 4, v, unit_);
    }
    double step = 60;
    for (const double candidate : {1.0, 2.0, 5.0, 10.0, 20.0, 30.0}) {
      if (t_max_ / candidate <= 12) {
        step = candidate;
        break;
      }
    }
    for (double t = 0; t <= t_max_ + 1e-9; t += step) {
      axes += fmt::format(R"(<text x="{:.1f}" y="{}" class="axis">{:.0f}s</text>)", x(t) - 6, chart_height - 6, t);
    }
    return fmt::format(
        R"(<svg viewBox="0 0 {} {}" width="100%" xmlns="http://www.w3.org/2000/svg">{}{}</svg><div class="legend">{}</div>)",
        chart_width, chart_height, axes, body_, legend_);
  }

 private:
  double t_max_, y_max_;
  bool log_;
  std::string unit_, body_, legend_;
};

// (t, value) points, one per 500 ms.
template <class Value>
std::vector<std::pair<double, double>> points_of(const Run& run, Value value) {
  std::vector<std::pair<double, double>> points;
  for (std::size_t i = 0; i + buckets_per_point <= run.buckets.size(); i += buckets_per_point) {
    double sum = 0;
    for (std::size_t j = i; j < i + buckets_per_point; ++j) sum += value(run.buckets[j]);
    points.emplace_back(run.buckets[i].t + run.bucket_seconds * buckets_per_point / 2, sum / buckets_per_point);
  }
  return points;
}

std::vector<std::string> scenarios_in(const std::vector<Run>& runs) {
  std::vector<std::string> names;
  for (const Run& run : runs) {
    if (std::find(names.begin(), names.end(), run.scenario) == names.end()) names.push_back(run.scenario);
  }
  return names;
}

std::string scenario_section(const std::vector<Run>& runs, std::string_view name) {
  const Scenario* scenario = find_scenario(name);
  std::vector<const Run*> mine;
  for (const Run& run : runs) {
    if (run.scenario == name) mine.push_back(&run);
  }
  const Run& first = *mine.front();
  const double t_max = static_cast<double>(first.buckets.size()) * first.bucket_seconds;
  double rate_max = 1;
  for (const Run* run : mine) {
    for (const Bucket& b : run->buckets) rate_max = std::max({rate_max, b.deliverable, b.capacity});
  }
  Chart limits(t_max, 1000, true, "");
  Chart goodput(t_max, rate_max * 1.25, false, "/s");
  goodput.line(points_of(first, [](const Bucket& b) { return b.deliverable; }), "#999",
               "deliverable: min(C, offered)", true);
  std::string rows;
  for (const Run* run : mine) {
    limits.line(points_of(*run, [](const Bucket& b) { return b.limit_mean; }), color_of(run->algorithm), run->algorithm);
    goodput.line(points_of(*run, [&](const Bucket& b) { return static_cast<double>(b.goodput) / run->bucket_seconds; }),
                 color_of(run->algorithm), run->algorithm);
    const Summary s = summarize(*run, scenario != nullptr ? policy::to_seconds(scenario->warmup) : 0);
    rows += fmt::format(
        "<tr><td>{}</td><td>{:.1f}%</td><td>{:.1f}%</td><td>{}</td><td>{} / {} / {}</td><td>{:.0f} / {:.0f}</td></tr>",
        run->algorithm, s.goodput_share * 100, s.late_share * 100, seconds(s.settle), s.limit.min, s.limit.median,
        s.limit.max, s.p50_ms, s.p99_ms);
  }
  for (const auto& [t, label] : first.events) {
    if (t > 0) {
      limits.marker(t, label);
      goodput.marker(t, label);
    }
  }
  return fmt::format(R"(<h2 id="{0}">{0}</h2><p class="sub">{1}</p>
<table><tr><th>algorithm</th><th>goodput / deliverable</th><th>late</th><th>settle</th><th>limit min / median / max</th><th>latency p50 / p99 ms</th></tr>{2}</table>
<h3>Limit (log scale)</h3>{3}<h3>Goodput (2xx in time, per second)</h3>{4}
)",
                     escape(name), escape(scenario != nullptr ? scenario->description : ""), rows, limits.svg(),
                     goodput.svg());
}

}  // namespace

std::string text_table(const std::vector<Run>& runs, std::string_view default_algorithm) {
  std::string out = fmt::format("{:<17} {:<11} {:>8} {:>6} {:>7} {:>17} {:>13}\n", "scenario", "algorithm", "goodput",
                                "late", "settle", "limit min/med/max", "p50/p99 ms");
  std::string previous;
  for (const Run& run : runs) {
    const Scenario* scenario = find_scenario(run.scenario);
    const Summary s = summarize(run, scenario != nullptr ? policy::to_seconds(scenario->warmup) : 0);
    const std::string algorithm = run.algorithm + (run.algorithm == default_algorithm ? "*" : "");
    out += fmt::format("{:<17} {:<11} {:>7.1f}% {:>5.1f}% {:>7} {:>17} {:>13}\n",
                       run.scenario == previous ? "" : run.scenario, algorithm, s.goodput_share * 100,
                       s.late_share * 100, seconds(s.settle), fmt::format("{}/{}/{}", s.limit.min, s.limit.median, s.limit.max),
                       fmt::format("{:.0f}/{:.0f}", s.p50_ms, s.p99_ms));
    previous = run.scenario;
  }
  return out;
}

std::string text_trace(const Run& run, double resolution) {
  const auto per_line = std::max<std::size_t>(1, static_cast<std::size_t>(std::lround(resolution / run.bucket_seconds)));
  std::string out = fmt::format("{} / {}\n{:>6} {:>7} {:>7} {:>7} {:>6} {:>6} {:>6} {:>7} {:>7} {:>7} {}\n", run.scenario,
                                run.algorithm, "t", "offered", "deliv", "goodput", "late", "failed", "shed", "limit",
                                "inflight", "svc_q", "mode");
  for (std::size_t i = 0; i + per_line <= run.buckets.size(); i += per_line) {
    double offered = 0, deliverable = 0, goodput = 0, late = 0, failed = 0, shed = 0, limit = 0, in_flight = 0, queue = 0;
    bool recovery = false;
    for (std::size_t j = i; j < i + per_line; ++j) {
      const Bucket& b = run.buckets[j];
      offered += static_cast<double>(b.offered);
      deliverable += b.deliverable * run.bucket_seconds;
      goodput += static_cast<double>(b.goodput);
      late += static_cast<double>(b.late);
      failed += static_cast<double>(b.failed);
      shed += static_cast<double>(b.shed);
      limit += b.limit_mean / static_cast<double>(per_line);
      in_flight += b.in_flight_mean / static_cast<double>(per_line);
      queue += b.service_queue_mean / static_cast<double>(per_line);
      recovery = recovery || b.recovery;
    }
    const double scale = 1 / (static_cast<double>(per_line) * run.bucket_seconds);  // per second
    out += fmt::format("{:>6.1f} {:>7.0f} {:>7.0f} {:>7.0f} {:>6.0f} {:>6.0f} {:>6.0f} {:>7.1f} {:>7.1f} {:>7.1f} {}\n",
                       run.buckets[i].t, offered * scale, deliverable * scale, goodput * scale, late * scale,
                       failed * scale, shed * scale, limit, in_flight, queue, recovery ? "recovery" : "");
  }
  return out;
}

std::string text_checks(const std::vector<Check>& checks) {
  std::string out;
  for (const Check& c : checks) {
    out += fmt::format("{:<4} {:<16} {:<10} {}\n", c.passed ? "ok" : "FAIL", c.scenario, c.algorithm, c.text);
  }
  return out;
}

std::string html_page(const std::vector<Run>& runs, const std::vector<Check>& checks, std::uint64_t seed,
                      std::string_view default_algorithm) {
  std::string sections, index;
  for (const std::string& name : scenarios_in(runs)) {
    sections += scenario_section(runs, name);
    index += fmt::format(R"(<a href="#{0}">{0}</a> )", escape(name));
  }
  std::string check_rows;
  for (const Check& c : checks) {
    check_rows += fmt::format(R"(<tr class="{}"><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>)",
                              c.passed ? "pass" : "fail", c.passed ? "ok" : "FAIL", escape(c.scenario),
                              escape(c.algorithm), escape(c.text));
  }
  return fmt::format(R"(<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>levee limit simulator</title>
<style>
body{{font:14px/1.45 system-ui,sans-serif;max-width:1060px;margin:24px auto;padding:0 16px;color:#222}}
h1{{font-size:22px}} h2{{margin-top:36px;border-top:1px solid #ddd;padding-top:12px}} h3{{font-size:14px;margin:10px 0 2px}}
.sub{{color:#666;margin-top:0}} table{{border-collapse:collapse}} td,th{{padding:2px 12px 2px 0;text-align:left}}
.pass td:first-child{{color:#1a7f37}} .fail td:first-child{{color:#c62828;font-weight:600}}
.axis{{font-size:11px;fill:#777}} .marker{{font-size:11px;fill:#555}} .legend span{{margin-right:14px;font-size:13px}}
</style></head><body>
<h1>levee limit simulator</h1>
<p class="sub">Deterministic simulation (seed {0}) of policy::Admission in front of a service with W slots and its own
FIFO queue; open-model callers with a timeout who retry at once. Goodput counts 2xx answers received before the
caller's deadline, as a share of min(C, offered). Default algorithm: {1}. Scenarios: {2}</p>
<h2>Acceptance</h2><table>{3}</table>
{4}
</body></html>
)",
                     seed, escape(default_algorithm), index, check_rows, sections);
}

}  // namespace levee::sim
