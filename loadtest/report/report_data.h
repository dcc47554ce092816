#pragma once
// Everything a report shows about one run, assembled once by the run command and written
// by each format (JSON, CSV, HTML). Plain data.

#include <string>
#include <string_view>
#include <vector>

#include "profile/run_plan.h"
#include "stats/aggregate.h"
#include "stats/analysis.h"
#include "stats/flow_stats.h"
#include "stats/thresholds.h"

namespace levee::load {

struct ReportData {
  const RunPlan& plan;
  const Series& series;
  const RunAnalysis& analysis;
  const std::vector<ThresholdResult>& thresholds;
  std::string verdict;  // "passed", "failed" or "invalid"
  const FlowAnalysis* flows = nullptr;  // runs with `flows:` only
};

std::string json_report(const ReportData& data);
std::string csv_series(const Series& series);
// One row per bucket and flow entry (a count: group is one entry): t_s,flow,offered,goodput,...
std::string csv_flow_series(const Series& series, const FlowAnalysis& flows);
std::string html_report(const ReportData& data);
// Markdown for a CI's summary page ($GITHUB_STEP_SUMMARY): verdict, thresholds, metrics, phases;
// `html_path` (may be empty) is named as where the charts are.
std::string markdown_summary(const ReportData& data, std::string_view html_path);
// JUnit XML: a test case per threshold (<failure> when it failed) and one for validity (<error>).
std::string junit_report(const ReportData& data);

}  // namespace levee::load
