// JUnit XML: one test case per --assert threshold, plus one for the run's validity, so a CI's
// test-report view lists each threshold with its measured value. The schema is the common subset
// that Jenkins, GitLab and GitHub test-report actions read: testsuites > testsuite > testcase,
// with <failure> for a threshold that failed and <error> for an invalid run (it proves nothing,
// which is not the service's failure).
#include <fmt/format.h>

#include "report/report_data.h"
#include "report/text_escape.h"

namespace levee::load {

std::string junit_report(const ReportData& d) {
  const std::size_t tests = d.thresholds.size() + 1;
  std::size_t failures = 0;
  for (const auto& t : d.thresholds) failures += t.passed ? 0 : 1;
  const std::size_t errors = d.analysis.valid ? 0 : 1;
  const std::string suite = xml_escaped(d.plan.label.empty() ? d.plan.name : d.plan.name + " (" + d.plan.label + ")");
  const std::string classname = xml_escaped("levee-load." + d.plan.name);
  const double seconds = to_seconds(d.plan.schedule.duration());

  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += fmt::format("<testsuites name=\"levee-load\" tests=\"{}\" failures=\"{}\" errors=\"{}\" time=\"{:.3f}\">\n",
                     tests, failures, errors, seconds);
  out += fmt::format("  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" time=\"{:.3f}\">\n", suite, tests,
                     failures, errors, seconds);
  out += fmt::format("    <testcase classname=\"{}\" name=\"valid run\" time=\"{:.3f}\"", classname, seconds);
  if (d.analysis.valid) {
    out += "/>\n";
  } else {
    std::string reasons;
    for (const auto& reason : d.analysis.invalid_reasons) reasons += (reasons.empty() ? "" : "; ") + reason;
    out += fmt::format(">\n      <error type=\"invalid_run\" message=\"{}\">{}</error>\n    </testcase>\n",
                       xml_escaped(reasons), xml_escaped(reasons));
  }
  for (const auto& t : d.thresholds) {
    out += fmt::format("    <testcase classname=\"{}\" name=\"{}\" time=\"0\"", classname, xml_escaped(t.threshold.text));
    if (t.passed) {
      out += fmt::format(">\n      <system-out>{}</system-out>\n    </testcase>\n", xml_escaped(t.message));
    } else {
      out += fmt::format(">\n      <failure type=\"threshold\" message=\"{}\">{}</failure>\n    </testcase>\n",
                         xml_escaped(t.message), xml_escaped(t.message));
    }
  }
  out += "  </testsuite>\n</testsuites>\n";
  return out;
}

}  // namespace levee::load
