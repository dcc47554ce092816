// The Markdown summary: what a CI page shows on the run's summary tab (GitHub's
// $GITHUB_STEP_SUMMARY, or any CI that renders Markdown): the verdict, each threshold with its
// measured value, why a run is invalid, the headline metrics and one row per phase. The charts
// stay in the HTML report; the summary names it.
#include <fmt/format.h>

#include <filesystem>

#include "report/report_data.h"
#include "report/text_escape.h"

namespace levee::load {
namespace {

std::string_view verdict_mark(std::string_view verdict) {
  if (verdict == "passed") return "✅";
  if (verdict == "failed") return "❌";
  return "⚠️";
}

double ms(Nanos d) { return std::chrono::duration<double, std::milli>(d).count(); }

void thresholds_table(std::string& out, const std::vector<ThresholdResult>& thresholds) {
  if (thresholds.empty()) {
    out += "No thresholds were given (`--assert`).\n\n";
    return;
  }
  out += "| | threshold | measured |\n| --- | --- | --- |\n";
  for (const auto& t : thresholds)
    out += fmt::format("| {} | {} | {} |\n", t.passed ? "✅ pass" : "❌ FAIL", markdown_cell(t.threshold.text),
                       markdown_cell(t.message));
  out += "\n";
}

void phases_table(std::string& out, const ReportData& d) {
  out += "| phase | role | seconds | rate (req/s) | goodput/s | shed | timeouts | p50 | p99 |\n"
         "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n";
  for (std::size_t i = 0; i < d.plan.phases.size() && i < d.analysis.phases.size(); ++i) {
    const PhaseInfo& p = d.plan.phases[i];
    const SlotStats& s = d.analysis.phases[i];
    const double seconds = to_seconds(p.end - p.start);
    const std::string rate = p.start_rate == p.end_rate ? fmt::format("{:.0f}", p.start_rate)
                                                        : fmt::format("{:.0f} → {:.0f}", p.start_rate, p.end_rate);
    out += fmt::format("| {} | {} | {:.1f} | {} | {:.1f} | {} | {} | {:.1f} ms | {:.1f} ms |\n", markdown_cell(p.name),
                       name_of(p.role), seconds, rate,
                       seconds > 0 ? static_cast<double>(s.counters.goodput) / seconds : 0.0,
                       s.counters.of(Outcome::shed), s.counters.of(Outcome::timeout), ms(s.latency.percentile(0.5)),
                       ms(s.latency.percentile(0.99)));
  }
  out += "\n";
}

}  // namespace

std::string markdown_summary(const ReportData& d, std::string_view html_path) {
  std::string out = fmt::format("### {} levee-load {}{}: {}\n\n", verdict_mark(d.verdict), markdown_cell(d.plan.name),
                                d.plan.label.empty() ? "" : " (" + markdown_cell(d.plan.label) + ")", d.verdict);
  std::string targets;
  for (const auto& t : d.plan.target_texts) targets += (targets.empty() ? "" : ", ") + markdown_cell(t);
  out += fmt::format("Target {}{}, {:.1f} s.\n\n", targets,
                     d.plan.capacity ? fmt::format(", capacity {:.0f} req/s", *d.plan.capacity) : "",
                     to_seconds(d.plan.schedule.duration()));
  if (!d.analysis.valid) {
    out += "**The run proves nothing either way** (exit 3):\n\n";
    for (const auto& reason : d.analysis.invalid_reasons) out += "- " + markdown_cell(reason) + "\n";
    out += "\n";
  }
  thresholds_table(out, d.thresholds);
  out += "| metric | value |\n| --- | ---: |\n";
  for (const Metric& m : d.analysis.metrics) out += fmt::format("| {} | {} |\n", m.name, markdown_cell(format_metric(m)));
  out += "\n";
  phases_table(out, d);
  // The file name only: the path levee-load saw (in a container, say) means nothing on the CI page,
  // where the report is an artifact beside this summary.
  if (!html_path.empty())
    out += fmt::format("Charts of offered load, goodput, shed answers and latency over time: `{}`.\n",
                       markdown_cell(std::filesystem::path(html_path).filename().string()));
  return out;
}

}  // namespace levee::load
