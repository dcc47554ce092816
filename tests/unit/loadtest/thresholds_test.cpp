#include "stats/thresholds.h"

#include <gtest/gtest.h>

namespace levee::load {
namespace {

Threshold parse_ok(std::string_view text) {
  auto r = parse_threshold(text);
  EXPECT_TRUE(std::holds_alternative<Threshold>(r)) << text << ": " << std::get<std::string>(r);
  return std::get<Threshold>(r);
}

std::string parse_error(std::string_view text) {
  auto r = parse_threshold(text);
  EXPECT_TRUE(std::holds_alternative<std::string>(r)) << text;
  return std::holds_alternative<std::string>(r) ? std::get<std::string>(r) : "";
}

TEST(Thresholds, ParsesDurationsRatiosAndPercentages) {
  Threshold t = parse_ok("recovery_time<=2s");
  EXPECT_EQ(t.metric, "recovery_time");
  EXPECT_EQ(t.comparison, Comparison::less_equal);
  EXPECT_DOUBLE_EQ(t.value, 2.0);
  EXPECT_DOUBLE_EQ(parse_ok("p99 < 250ms").value, 0.25);
  Threshold g = parse_ok("overload_goodput>=0.8");
  EXPECT_EQ(g.comparison, Comparison::greater_equal);
  EXPECT_DOUBLE_EQ(g.value, 0.8);
  EXPECT_DOUBLE_EQ(parse_ok("late_ratio<=1%").value, 0.01);
  EXPECT_EQ(parse_ok("amplification>1.5").comparison, Comparison::greater);
}

TEST(Thresholds, P90AndP95AreDurationsLikeP50AndP99) {
  const Threshold p95 = parse_ok("p95<=200ms");
  EXPECT_EQ(p95.metric, "p95");
  EXPECT_DOUBLE_EQ(p95.value, 0.2);
  EXPECT_DOUBLE_EQ(parse_ok("p90 < 1.5s").value, 1.5);
  EXPECT_NE(parse_error("p95<=200").find("unit"), std::string::npos);
  EXPECT_DOUBLE_EQ(parse_ok("flow:b.p95<=50ms").value, 0.05);
  EXPECT_DOUBLE_EQ(parse_ok("flow:b@flood.p90<=20ms").value, 0.02);
  const std::vector<Metric> measured{{"p90", MetricKind::duration, 0.120}, {"p95", MetricKind::duration, 0.250}};
  EXPECT_TRUE(evaluate(parse_ok("p90<=200ms"), measured).passed);
  const ThresholdResult failed = evaluate(p95, measured);
  EXPECT_FALSE(failed.passed);
  EXPECT_EQ(failed.message, "p95 = 250.0ms (want <= 200ms)");
}

TEST(Thresholds, RejectsUnknownMetricsMissingUnitsAndJunk) {
  EXPECT_NE(parse_error("recovery<=2s").find("unknown metric"), std::string::npos);
  EXPECT_NE(parse_error("recovery_time<=2").find("unit"), std::string::npos);
  EXPECT_NE(parse_error("late_ratio<=lots").find("not a number"), std::string::npos);
  parse_error("late_ratio=0.1");
  parse_error("late_ratio<=");
}

TEST(Thresholds, EvaluatesAndNamesTheMeasuredValue) {
  std::vector<Metric> m{{"recovery_time", MetricKind::duration, 3.5},
                        {"overload_goodput", MetricKind::ratio, 0.91}};
  ThresholdResult r = evaluate(parse_ok("recovery_time<=2s"), m);
  EXPECT_FALSE(r.passed);
  EXPECT_EQ(r.message, "recovery_time = 3.50s (want <= 2s)");
  EXPECT_TRUE(evaluate(parse_ok("overload_goodput>=0.8"), m).passed);
}

TEST(Thresholds, NeverIsInfinitelyLong) {
  std::vector<Metric> m{{"recovery_time", MetricKind::duration, std::nullopt}};
  ThresholdResult r = evaluate(parse_ok("recovery_time<=2s"), m);
  EXPECT_FALSE(r.passed);
  EXPECT_EQ(r.message, "recovery_time = never (want <= 2s)");
  EXPECT_TRUE(evaluate(parse_ok("recovery_time>1s"), m).passed);
}

TEST(Thresholds, UnmeasurableRatioFails) {
  std::vector<Metric> m{{"overload_goodput", MetricKind::ratio, std::nullopt}};
  EXPECT_FALSE(evaluate(parse_ok("overload_goodput>=0.8"), m).passed);
}

TEST(Thresholds, FlowMetricsNameAFlowAPhaseAndAMetric) {
  Threshold t = parse_ok("flow:b.goodput_ratio>=0.95");
  EXPECT_EQ(t.metric, "flow:b.goodput_ratio");
  EXPECT_DOUBLE_EQ(t.value, 0.95);
  EXPECT_DOUBLE_EQ(parse_ok("flow:light.worst_goodput_ratio >= 90%").value, 0.9);
  EXPECT_DOUBLE_EQ(parse_ok("flow:tenant.a@flood.p99<=50ms").value, 0.05);  // names may hold dots
  EXPECT_NE(parse_error("flow:b.recovery_time<=1s").find("unknown flow metric"), std::string::npos);
  EXPECT_NE(parse_error("flow:b.p99<=5").find("unit"), std::string::npos);
  EXPECT_NE(parse_error("flow:goodput_ratio>=1").find("flow:NAME.METRIC"), std::string::npos);
  EXPECT_NE(parse_error("flow:@x.goodput_ratio>=1").find("flow:NAME.METRIC"), std::string::npos);

  const std::vector<Metric> metrics{{"flow:b.goodput_ratio", MetricKind::ratio, 0.97},
                                    {"flow:light.worst_goodput_ratio", MetricKind::ratio, 0.5}};
  EXPECT_TRUE(evaluate(t, metrics).passed);
  const ThresholdResult worst = evaluate(parse_ok("flow:light.worst_goodput_ratio>=0.9"), metrics);
  EXPECT_FALSE(worst.passed);
  EXPECT_EQ(worst.message, "flow:light.worst_goodput_ratio = 0.500 (want >= 0.9)");
}

}  // namespace
}  // namespace levee::load
