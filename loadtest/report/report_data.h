#pragma once
// Everything a report shows about one run, assembled once by the run command and written
// by each format (JSON, CSV, HTML). Plain data.

#include <string>
#include <vector>

#include "profile/run_plan.h"
#include "stats/aggregate.h"
#include "stats/analysis.h"
#include "stats/thresholds.h"

namespace levee::load {

struct ReportData {
  const RunPlan& plan;
  const Series& series;
  const RunAnalysis& analysis;
  const std::vector<ThresholdResult>& thresholds;
  std::string verdict;  // "passed", "failed" or "invalid"
};

std::string json_report(const ReportData& data);
std::string csv_series(const Series& series);
std::string html_report(const ReportData& data);

}  // namespace levee::load
