#include "stats/analysis.h"

#include <gtest/gtest.h>

namespace levee::load {
namespace {

using namespace std::chrono_literals;

// A synthetic run: a service of `capacity` req/s that serves in 10 ms what it can and sheds the
// rest in 1 ms (a perfect guard), for the given phases at constant rates.
struct SyntheticRun {
  std::vector<PhaseInfo> phases;
  std::vector<UserRecord> users;
  std::vector<AttemptRecord> attempts;

  SyntheticRun(std::vector<PhaseInfo> p, double capacity) : phases(std::move(p)) {
    for (const PhaseInfo& phase : phases) {
      double rate = phase.start_rate;
      auto gap = static_cast<std::int64_t>(1e9 / rate);
      double served_share = std::min(1.0, capacity / rate);
      double credit = 0;
      for (std::int64_t t = phase.start.count(); t < phase.end.count(); t += gap) {
        credit += served_share;
        bool served = credit >= 1;
        if (served) credit -= 1;
        std::int64_t end = t + (served ? 10'000'000 : 1'000'000);
        auto user = static_cast<std::uint32_t>(users.size());
        users.push_back({t, end, served ? UserOutcome::good : UserOutcome::failed,
                         served ? Outcome::ok : Outcome::shed, 1});
        attempts.push_back({t, t + 50'000, t + 60'000, end, user,
                            static_cast<std::uint16_t>(served ? 200 : 503),
                            served ? Outcome::ok : Outcome::shed, 0});
      }
    }
  }

  RunAnalysis analyze_with(std::optional<double> capacity) const {
    ThreadRecords r{attempts, users};
    std::span<const ThreadRecords> records(&r, 1);
    Series s = bucketize(records, 100ms, phases.back().end);
    return analyze(records, s, phases, capacity, RecoveryConfig{1s, 0.95, 1s}, ValidityConfig{});
  }
};

const std::vector<PhaseInfo> overload_profile{
    {"baseline", PhaseRole::baseline, 0s, 2s, 50, 50},
    {"overload", PhaseRole::overload, 2s, 4s, 300, 300},
    {"after", PhaseRole::recovery, 4s, 8s, 50, 50},
};

const Metric& metric(const RunAnalysis& a, std::string_view name) {
  for (const Metric& m : a.metrics) {
    if (m.name == name) return m;
  }
  throw std::runtime_error("no metric");
}

TEST(Analysis, PerfectGuardKeepsGoodputAtCapacityAndRecoversAtOnce) {
  RunAnalysis a = SyntheticRun(overload_profile, 100).analyze_with(100.0);
  EXPECT_TRUE(a.valid) << (a.invalid_reasons.empty() ? "" : a.invalid_reasons[0]);
  ASSERT_TRUE(a.overload_goodput);
  EXPECT_NEAR(*a.overload_goodput, 1.0, 0.02);
  ASSERT_TRUE(a.recovery.time);
  EXPECT_EQ(*a.recovery.time, Nanos(0));
  ASSERT_TRUE(a.time_to_first_shed);
  EXPECT_LT(*a.time_to_first_shed, Nanos(20ms));
  EXPECT_NEAR(*metric(a, "amplification").value, 1.0, 1e-9);
  EXPECT_NEAR(*metric(a, "baseline_p99").value, 0.010, 0.0002);
  EXPECT_EQ(a.phases.size(), 3u);
  EXPECT_EQ(a.phases[0].counters.offered, 100u);
}

TEST(Analysis, LatencyPercentilesP50P90P95P99AreMetricsInOrder) {
  RunAnalysis a = SyntheticRun(overload_profile, 100).analyze_with(100.0);
  double previous = 0;
  for (const char* name : {"p50", "p90", "p95", "p99"}) {
    ASSERT_TRUE(metric(a, name).value) << name;
    EXPECT_EQ(metric(a, name).kind, MetricKind::duration) << name;
    EXPECT_GE(*metric(a, name).value, previous) << name;
    previous = *metric(a, name).value;
  }
  EXPECT_NEAR(*metric(a, "p95").value, 0.010, 0.0002);  // served users take 10 ms
}

TEST(Analysis, OverloadBelowCapacityMakesTheRunInvalid) {
  std::vector<PhaseInfo> gentle = overload_profile;
  gentle[1].start_rate = gentle[1].end_rate = 80;
  RunAnalysis a = SyntheticRun(gentle, 100).analyze_with(100.0);
  EXPECT_FALSE(a.valid);
  ASSERT_FALSE(a.invalid_reasons.empty());
  EXPECT_NE(a.invalid_reasons[0].find("never exceeded capacity"), std::string::npos);
}

TEST(Analysis, UnservedBaselineMakesTheRunInvalid) {
  RunAnalysis a = SyntheticRun(overload_profile, 20).analyze_with(20.0);
  EXPECT_FALSE(a.valid);
  EXPECT_NE(a.invalid_reasons[0].find("baseline unstable"), std::string::npos);
}

TEST(Analysis, FirstTimeAboveCapacityInterpolatesRamps) {
  std::vector<PhaseInfo> p{{"ramp", PhaseRole::overload, 0s, 10s, 0, 1000}};
  EXPECT_EQ(first_time_above(p, 250), Nanos(2500ms));
  EXPECT_FALSE(first_time_above(p, 2000));
}

}  // namespace
}  // namespace levee::load
