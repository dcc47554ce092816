// The reports CI pages show: the Markdown summary ($GITHUB_STEP_SUMMARY, --summary) and the
// JUnit XML of the thresholds (--junit), and the escaping both rely on.
#include <gtest/gtest.h>

#include <algorithm>

#include "profile/profile_loader.h"
#include "report/report_data.h"
#include "report/text_escape.h"

namespace levee::load {
namespace {

using namespace std::chrono_literals;
constexpr std::int64_t ms = 1'000'000;

// One second at 100 req/s, a quarter shed; one threshold that passes and one that fails.
struct SampleRun {
  RunPlan plan;
  std::vector<AttemptRecord> attempts;
  std::vector<UserRecord> users;
  Series series;
  RunAnalysis analysis;
  std::vector<ThresholdResult> results;

  explicit SampleRun(const std::string& label = "levee") {
    RunOverrides o;
    o.targets = {"http://127.0.0.1:8080/work"};
    o.rate = 100;
    o.duration = "1s";
    o.label = label;
    plan = std::get<RunPlan>(build_plan(o));
    for (std::int64_t i = 0; i < 100; ++i) {
      const std::int64_t t = i * 10 * ms;
      const bool shed = i % 4 == 0;
      users.push_back({t, t + 5 * ms, shed ? UserOutcome::failed : UserOutcome::good, shed ? Outcome::shed : Outcome::ok, 1});
      attempts.push_back({t, t, t, t + 5 * ms, static_cast<std::uint32_t>(i), static_cast<std::uint16_t>(shed ? 503 : 200),
                          shed ? Outcome::shed : Outcome::ok, 0});
    }
    const ThreadRecords r{attempts, users};
    const std::span<const ThreadRecords> records(&r, 1);
    series = bucketize(records, 100ms, 1s);
    analysis = analyze(records, series, plan.phases, plan.capacity, plan.recovery, plan.validity);
    for (const char* text : {"shed_ratio<=0.5", "shed_ratio<=0.1"})
      results.push_back(evaluate(std::get<Threshold>(parse_threshold(text)), analysis.metrics));
  }
  ReportData data(const std::string& verdict = "failed") const { return {plan, series, analysis, results, verdict}; }
};

std::size_t count(const std::string& text, const std::string& part) {
  std::size_t n = 0;
  for (auto at = text.find(part); at != std::string::npos; at = text.find(part, at + part.size())) ++n;
  return n;
}

TEST(MarkdownSummary, ShowsVerdictThresholdsMetricsPhasesAndTheHtmlReport) {
  const SampleRun run;
  const std::string md = markdown_summary(run.data(), "report/report.html");
  EXPECT_EQ(md.rfind("### ❌ levee-load run (levee): failed\n", 0), 0u) << md;
  EXPECT_NE(md.find("Target http://127.0.0.1:8080/work"), std::string::npos) << md;
  // Thresholds: as written, with what was measured; '<' as an entity (GitHub renders inline HTML).
  EXPECT_NE(md.find("| ✅ pass | shed_ratio&lt;=0.5 | shed_ratio = 0.250 (want &lt;= 0.5) |"), std::string::npos) << md;
  EXPECT_NE(md.find("| ❌ FAIL | shed_ratio&lt;=0.1 | shed_ratio = 0.250 (want &lt;= 0.1) |"), std::string::npos) << md;
  EXPECT_NE(md.find("| shed_ratio | 0.250 |"), std::string::npos) << md;
  EXPECT_NE(md.find("| amplification | "), std::string::npos) << md;
  EXPECT_EQ(count(md, "| steady | other | 1.0 | 100 | 75.0 | 25 | 0 | 5.0 ms | 5.0 ms |"), 1u) << md;  // the --rate phase
  EXPECT_NE(md.find(": `report.html`.\n"), std::string::npos) << md;  // the name, not the path
  EXPECT_EQ(md.find("proves nothing"), std::string::npos) << md;
}

TEST(MarkdownSummary, AnInvalidRunSaysWhy) {
  SampleRun run;
  run.analysis.valid = false;
  run.analysis.invalid_reasons = {"generator fell behind: lag p99 12 ms > 5 ms"};
  const std::string md = markdown_summary(run.data("invalid"), "");
  EXPECT_EQ(md.rfind("### ⚠️ levee-load run (levee): invalid", 0), 0u) << md;
  EXPECT_NE(md.find("proves nothing either way** (exit 3):\n\n- generator fell behind: lag p99 12 ms &gt; 5 ms\n"),
            std::string::npos)
      << md;
  EXPECT_EQ(md.find("Charts of"), std::string::npos) << md;  // no HTML report was written
}

TEST(MarkdownSummary, ALabelCannotBreakTheTable) {
  const SampleRun run("a|b\nc");
  const std::string md = markdown_summary(run.data(), "");
  EXPECT_NE(md.find("(a\\|b c)"), std::string::npos) << md;
}

TEST(JunitReport, OneTestCasePerThresholdAndOneForValidity) {
  const SampleRun run;
  const std::string xml = junit_report(run.data());
  EXPECT_EQ(xml.rfind("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"levee-load\" tests=\"3\" "
                      "failures=\"1\" errors=\"0\" time=\"1.000\">",
                      0),
            0u)
      << xml;
  EXPECT_EQ(count(xml, "<testcase "), 3u) << xml;
  EXPECT_NE(xml.find("<testcase classname=\"levee-load.run\" name=\"valid run\" time=\"1.000\"/>"), std::string::npos)
      << xml;
  EXPECT_NE(xml.find("name=\"shed_ratio&lt;=0.1\" time=\"0\">\n      <failure type=\"threshold\" "
                     "message=\"shed_ratio = 0.250 (want &lt;= 0.1)\">"),
            std::string::npos)
      << xml;
  EXPECT_EQ(count(xml, "<failure "), 1u) << xml;
  EXPECT_NE(xml.find("name=\"shed_ratio&lt;=0.5\" time=\"0\">\n      <system-out>"), std::string::npos) << xml;
  EXPECT_EQ(count(xml, "<testcase"), count(xml, "</testcase>") + count(xml, "\"/>\n"));
  EXPECT_NE(xml.find("</testsuite>\n</testsuites>\n"), std::string::npos);
}

TEST(JunitReport, AnInvalidRunIsAnErrorNotAFailure) {
  SampleRun run;
  run.analysis.valid = false;
  run.analysis.invalid_reasons = {"baseline unstable", "no real overload"};
  const std::string xml = junit_report(run.data("invalid"));
  EXPECT_NE(xml.find("errors=\"1\""), std::string::npos) << xml;
  EXPECT_NE(xml.find("<error type=\"invalid_run\" message=\"baseline unstable; no real overload\">"), std::string::npos)
      << xml;
}

TEST(TextEscape, InvalidUtf8IsReplacedAndValidUtf8Kept) {
  EXPECT_EQ(valid_utf8("caf\xC3\xA9"), "caf\xC3\xA9");
  EXPECT_EQ(valid_utf8("a\xFF" "b"), "a\xEF\xBF\xBD" "b");
  EXPECT_EQ(valid_utf8("\xC3"), "\xEF\xBF\xBD");                        // truncated
  EXPECT_EQ(valid_utf8("\xC0\xAF"), "\xEF\xBF\xBD\xEF\xBF\xBD");        // overlong '/'
  EXPECT_EQ(valid_utf8("\xED\xA0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // a surrogate
  EXPECT_EQ(valid_utf8("\xF0\x9F\x98\x80"), "\xF0\x9F\x98\x80");         // outside the BMP
}

TEST(TextEscape, XmlDropsWhatXmlCannotHold) {
  EXPECT_EQ(xml_escaped("<a href=\"x\">&'</a>"), "&lt;a href=&quot;x&quot;&gt;&amp;&apos;&lt;/a&gt;");
  EXPECT_EQ(xml_escaped(std::string("a\x01\x1B" "b\tc\n", 7)), "ab\tc\n");
  EXPECT_EQ(xml_escaped("\xFF"), "\xEF\xBF\xBD");
}

}  // namespace
}  // namespace levee::load
