// Report shapes: the JSON keys CI scripts read, the CSV header and one row per 100 ms bucket.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>

#include "profile/profile_loader.h"
#include "report/compare_report.h"
#include "report/report_data.h"
#include "report/request_log.h"

#include <sstream>

namespace levee::load {
namespace {

using namespace std::chrono_literals;
constexpr std::int64_t ms = 1'000'000;

struct Fixture {
  RunPlan plan;
  std::vector<UserRecord> users;
  std::vector<AttemptRecord> attempts;
  Series series;
  RunAnalysis analysis;
  std::vector<ThresholdResult> results;

  Fixture() {
    RunOverrides o;
    o.targets = {"http://127.0.0.1:8080/work"};
    o.rate = 100;
    o.duration = "1s";
    o.label = "direct \"quoted\"";
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
    results.push_back(evaluate(std::get<Threshold>(parse_threshold("shed_ratio<=0.1")), analysis.metrics));
  }
  ReportData data() const { return {plan, series, analysis, results, "failed"}; }
};

bool balanced(const std::string& json) {
  int depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < json.size(); ++i) {
    const char c = json[i];
    if (in_string) {
      if (c == '\\') ++i;
      else if (c == '"') in_string = false;
      continue;
    }
    if (c == '"') in_string = true;
    else if (c == '{' || c == '[') ++depth;
    else if (c == '}' || c == ']') {
      if (--depth < 0) return false;
    }
  }
  return depth == 0 && !in_string;
}

TEST(Report, JsonHasTheSummaryKeysAndIsBalanced) {
  const Fixture f;
  const std::string json = json_report(f.data());
  EXPECT_TRUE(balanced(json));
  for (const char* key : {"\"verdict\":\"failed\"", "\"valid\":true", "\"invalid_reasons\":[]", "\"metrics\":{",
                          "\"recovery_time\":null", "\"shed_ratio\":0.25", "\"amplification\":1", "\"thresholds\":[",
                          "\"passed\":false", "\"phases\":[", "\"series\":[", "\"bucket_ms\":100",
                          "\"label\":\"direct \\\"quoted\\\"\"", "\"goodput\":75", "\"shed\":25"}) {
    EXPECT_NE(json.find(key), std::string::npos) << key;
  }
  // One series entry per 100 ms bucket.
  EXPECT_EQ(std::count(json.begin(), json.end(), '\n') >= 10, true);
  std::size_t entries = 0;
  for (std::size_t at = json.find("\"t_s\":"); at != std::string::npos; at = json.find("\"t_s\":", at + 1)) ++entries;
  EXPECT_EQ(entries, 10u);
}

TEST(Report, JsonParsesBackWithItsSchemaVersionAndStats) {
  const Fixture f;
  const auto report = nlohmann::json::parse(json_report(f.data()));
  EXPECT_EQ(report.at("schema_version"), 1);
  EXPECT_EQ(json_report(f.data()).rfind("{\"schema_version\":1,", 0), 0u);
  EXPECT_EQ(report.at("label"), "direct \"quoted\"");
  EXPECT_EQ(report.at("total").at("offered"), 100);
  for (const char* key : {"p50_ms", "p90_ms", "p95_ms", "p99_ms", "max_ms"}) EXPECT_TRUE(report.at("total").contains(key)) << key;
  EXPECT_EQ(report.at("series").size(), 10u);
}

// Labels and names come from the command line and profiles: any bytes at all. The report must
// still be JSON a parser accepts, control bytes escaped and invalid UTF-8 replaced.
TEST(Report, JsonWithInvalidUtf8AndControlBytesParsesBack) {
  Fixture f;
  f.plan.label = std::string("bad \xff\xfe utf8, tab\t bell\x07 nul") + '\0' + " end";
  f.plan.name = "caf\xc3";  // a truncated two-byte sequence
  const std::string text = json_report(f.data());
  nlohmann::json report;
  ASSERT_NO_THROW(report = nlohmann::json::parse(text)) << text.substr(0, 200);
  const std::string label = report.at("label");
  EXPECT_EQ(label.rfind("bad ", 0), 0u);
  EXPECT_NE(label.find("\xef\xbf\xbd"), std::string::npos);  // U+FFFD stands for the bad bytes
  EXPECT_NE(label.find("tab\t bell\x07 nul"), std::string::npos);
  EXPECT_NE(label.find(std::string(1, '\0') + " end"), std::string::npos);
  EXPECT_EQ(report.at("name").get<std::string>().rfind("caf", 0), 0u);
}

TEST(Report, CsvHasAHeaderAndOneRowPerBucket) {
  const Fixture f;
  const std::string csv = csv_series(f.series);
  EXPECT_EQ(csv.rfind("t_s,offered,goodput,late,failed,attempts,sent,retries,shed,timeouts,errors,not_sent,", 0), 0u);
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 11);
  EXPECT_NE(csv.find("\n0.000,10,7,0,3,10,10,0,3,0,0,0,"), std::string::npos);
}

TEST(Report, RequestLogLinksRetriesToTheirUser) {
  std::vector<UserRecord> users{{0, 1200 * ms, UserOutcome::good, Outcome::ok, 2}};
  std::vector<AttemptRecord> attempts{{0, 0, 0, 1000 * ms, 0, 0, Outcome::timeout, 0},
                                      {1000 * ms, 1000 * ms, -1, 1200 * ms, 0, 200, Outcome::ok, 1}};
  const std::vector<ThreadRecords> records{{}, {attempts, users}};
  std::ostringstream out;
  write_request_log(out, records);
  EXPECT_EQ(out.str(),
            "user_id,attempt,intended_ms,dispatch_ms,sent_ms,end_ms,outcome,status,user_outcome\n"
            "1,0,0.000,0.000,0.000,1000.000,timeout,0,good\n"
            "1,1,1000.000,1000.000,,1200.000,ok,200,good\n");
}

TEST(Report, HtmlIsSelfContainedWithCharts) {
  const Fixture f;
  const std::string html = html_report(f.data());
  EXPECT_NE(html.find("<svg"), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("http://cdn"), std::string::npos);
  EXPECT_NE(html.find("goodput"), std::string::npos);
}

// Recovery at the very end of the overload: both markers at one x, their labels on two rows.
TEST(Report, HtmlMarkersAtTheSameTimeDoNotOverlap) {
  Fixture f;
  f.analysis.overload_end = 500ms;
  f.analysis.recovery.recovered_at = 500ms;
  const std::string html = html_report(f.data());
  const auto label_y = [&](const std::string& label) {
    const auto end = html.find(">" + label + "</text>");
    const auto start = html.rfind("<text ", end);
    const auto y = html.find(" y=\"", start);
    EXPECT_LT(y, end) << label;
    return std::stod(html.substr(y + 4));
  };
  // The first of each (the throughput chart; the latency chart draws them alike).
  EXPECT_GE(std::abs(label_y("overload ends") - label_y("recovered")), 14.0) << "12 px labels must not share a row";
}

// levee-load compare: both runs on one page, read back from their JSON reports.
TEST(Report, CompareOverlaysTwoRunsFromTheirJsonReports) {
  Fixture direct;
  direct.plan.label = "direct <alone>";
  Fixture levee;
  levee.plan.label = "levee";
  levee.analysis.recovery.recovered_at = 600ms;
  const auto a = nlohmann::json::parse(json_report(direct.data()));
  const auto b = nlohmann::json::parse(json_report(levee.data()));
  const ComparePage page = compare_report(a, b);
  ASSERT_TRUE(page.error.empty()) << page.error;
  const std::string& html = page.html;
  EXPECT_NE(html.find("<title>levee-load: direct &lt;alone&gt; vs levee</title>"), std::string::npos);
  EXPECT_EQ(std::count(html.begin(), html.end(), '\n') > 5, true);
  std::size_t svgs = 0;
  for (auto at = html.find("<svg"); at != std::string::npos; at = html.find("<svg", at + 1)) ++svgs;
  EXPECT_EQ(svgs, 3u);  // goodput, shed, p99
  // Each chart has a line per run, named by its label.
  EXPECT_NE(html.find("<title>direct &lt;alone&gt; goodput</title>"), std::string::npos);
  EXPECT_NE(html.find("<title>levee goodput</title>"), std::string::npos);
  EXPECT_NE(html.find("<title>levee p99</title>"), std::string::npos);
  EXPECT_NE(html.find(">levee recovered</text>"), std::string::npos);
  EXPECT_NE(html.find("<tr><td>attempts shed at once (429/503)</td><td>0.25</td><td>0.25</td></tr>"), std::string::npos)
      << html.substr(html.find("<h2>Summary"));
  EXPECT_EQ(html.find("<script"), std::string::npos);
}

TEST(Report, CompareRefusesWhatIsNotAReport) {
  Fixture f;
  const auto report = nlohmann::json::parse(json_report(f.data()));
  EXPECT_EQ(compare_report(report, nlohmann::json{{"name", "x"}}).error, "not a levee-load JSON report (no series)");
  auto newer = report;
  newer["schema_version"] = 2;
  EXPECT_EQ(compare_report(report, newer).error, "unsupported schema_version (want 1)");
}

TEST(Report, FlowsInJsonCsvAndHtml) {
  Fixture f;
  // The fixture's users as two flows: even users tenant "a", odd users the group "light" (1 member).
  for (std::size_t i = 0; i < f.users.size(); ++i) f.users[i].flow = static_cast<std::uint16_t>(i % 2);
  std::vector<FlowPlan> flows = flows_to_send(f.plan);
  flows[0].name = "a";
  flows.push_back(flows[0]);
  flows[1].name = "light-1";
  const std::vector<FlowGroup> groups{{"a", 0, 1, false}, {"light", 1, 1, true}};
  const ThreadRecords r{f.attempts, f.users};
  const FlowAnalysis analysis = analyze_flows(std::span<const ThreadRecords>(&r, 1),
                                              FlowRun{flows, groups, f.plan.phases, 100.0, 100ms, 1s});
  ReportData data = f.data();
  data.flows = &analysis;
  const std::string json = json_report(data);
  EXPECT_TRUE(balanced(json));
  EXPECT_NE(json.find(R"("flows":[)"), std::string::npos);
  EXPECT_NE(json.find(R"({"name":"a","members":1,"worst":"a","worst_goodput_ratio":)"), std::string::npos);
  EXPECT_NE(json.find(R"({"name":"light","members":1,"worst":"light-1")"), std::string::npos);
  EXPECT_NE(json.find(R"("goodput_ratio":0.5,"offered":50,"goodput":25)"), std::string::npos);  // "a": every other user shed
  const std::string csv = csv_flow_series(f.series, analysis);
  EXPECT_EQ(csv.substr(0, csv.find('\n')), "t_s,flow,offered,goodput,late,failed,attempts,sent,retries,shed,timeouts,errors,not_sent");
  EXPECT_NE(csv.find("\n0.000,a,5,"), std::string::npos);
  EXPECT_NE(csv.find("\n0.900,light,5,5,"), std::string::npos);
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 1 + 2 * 10);
  const std::string html = html_report(data);
  EXPECT_NE(html.find("<h2>Flows</h2>"), std::string::npos);
  EXPECT_NE(html.find("light (1 flows)"), std::string::npos);
  EXPECT_EQ(json_report(f.data()).find("\"flows\""), std::string::npos);  // no flows: no key
}

}  // namespace
}  // namespace levee::load
