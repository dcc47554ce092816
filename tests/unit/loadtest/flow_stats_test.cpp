// Per-flow figures: users filed under their flow and its own phases, attempts under their user's
// flow, a count: group summarised with its worst member, and the flow: metrics.
#include "stats/flow_stats.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace levee::load {
namespace {

using namespace std::chrono_literals;

FlowPlan flow(std::string name, std::vector<PhaseInfo> phases) {
  FlowPlan f;
  f.name = std::move(name);
  f.phases = std::move(phases);
  return f;
}

struct Recorded {
  std::vector<UserRecord> users;
  std::vector<AttemptRecord> attempts;

  void user(std::uint16_t flow, Nanos arrival, UserOutcome outcome, Outcome last, Nanos latency = 10ms) {
    const auto index = static_cast<std::uint32_t>(users.size());
    users.push_back(UserRecord{arrival.count(), (arrival + latency).count(), outcome, last, 1, flow, 0});
    AttemptRecord a;
    a.intended_ns = a.dispatch_ns = a.sent_ns = arrival.count();
    a.end_ns = (arrival + latency).count();
    a.user = index;
    a.outcome = last;
    attempts.push_back(a);
  }
  std::vector<ThreadRecords> records() const { return {ThreadRecords{attempts, users}}; }
};

std::optional<double> metric(const FlowAnalysis& a, const std::string& name) {
  const auto it = std::find_if(a.metrics.begin(), a.metrics.end(), [&](const Metric& m) { return m.name == name; });
  EXPECT_NE(it, a.metrics.end()) << name;
  return it == a.metrics.end() ? std::nullopt : it->value;
}

TEST(FlowStats, FlowsPhasesAndGroupsWithTheirWorstMember) {
  const std::vector<PhaseInfo> two_phases{{"alone", PhaseRole::other, 0s, 1s, 0, 0}, {"flood", PhaseRole::overload, 1s, 2s, 0, 0}};
  const std::vector<PhaseInfo> one_phase{{"light", PhaseRole::other, 0s, 2s, 0, 0}};
  const std::vector<FlowPlan> flows{flow("b", two_phases), flow("light-1", one_phase), flow("light-2", one_phase)};
  const std::vector<FlowGroup> groups{{"b", 0, 1, false}, {"light", 1, 2, true}};
  Recorded run;
  run.user(0, 100ms, UserOutcome::good, Outcome::ok);
  run.user(0, 1100ms, UserOutcome::good, Outcome::ok, 30ms);
  run.user(0, 1200ms, UserOutcome::failed, Outcome::shed, 1ms);
  run.user(1, 300ms, UserOutcome::good, Outcome::ok);
  run.user(1, 1300ms, UserOutcome::good, Outcome::ok);
  run.user(2, 500ms, UserOutcome::good, Outcome::ok);
  run.user(2, 1500ms, UserOutcome::failed, Outcome::timeout, 1s);

  const std::vector<PhaseInfo> bands{{"calm", PhaseRole::other, 0s, 1s, 0, 0}, {"storm", PhaseRole::other, 1s, 2s, 0, 0}};
  const FlowAnalysis a = analyze_flows(run.records(), FlowRun{flows, groups, bands, 4.0, 100ms, 2s});
  ASSERT_EQ(a.entries.size(), 2u);
  const FlowEntry& b = a.entries[0];
  EXPECT_EQ(b.stats.counters.offered, 3u);
  EXPECT_EQ(b.stats.counters.goodput, 2u);
  EXPECT_EQ(b.stats.counters.of(Outcome::shed), 1u);
  ASSERT_EQ(b.phase_stats.size(), 2u);
  EXPECT_EQ(b.phase_stats[0].counters.offered, 1u);
  EXPECT_EQ(b.phase_stats[1].counters.offered, 2u);
  EXPECT_EQ(b.series.size(), 20u);
  EXPECT_EQ(b.series[11].offered, 1u);
  EXPECT_EQ(b.series[11].goodput, 1u);

  const FlowEntry& light = a.entries[1];
  EXPECT_EQ(light.members, 2u);
  EXPECT_EQ(light.stats.counters.offered, 4u);
  EXPECT_EQ(light.stats.counters.goodput, 3u);
  EXPECT_EQ(light.worst, "light-2");
  EXPECT_DOUBLE_EQ(*light.worst_goodput_ratio, 0.5);

  EXPECT_DOUBLE_EQ(*metric(a, "flow:b.goodput_ratio"), 2.0 / 3);
  EXPECT_DOUBLE_EQ(*metric(a, "flow:b@flood.goodput_ratio"), 0.5);
  EXPECT_DOUBLE_EQ(*metric(a, "flow:b@alone.goodput_ratio"), 1.0);
  EXPECT_DOUBLE_EQ(*metric(a, "flow:b.shed_ratio"), 1.0 / 3);
  EXPECT_DOUBLE_EQ(*metric(a, "flow:b.goodput_per_s"), 1.0);
  EXPECT_DOUBLE_EQ(*metric(a, "flow:light.goodput_ratio"), 0.75);
  EXPECT_DOUBLE_EQ(*metric(a, "flow:light.worst_goodput_ratio"), 0.5);
  EXPECT_DOUBLE_EQ(*metric(a, "flow:light-1.goodput_ratio"), 1.0);
  EXPECT_DOUBLE_EQ(*metric(a, "flow:light@light.worst_goodput_ratio"), 0.5);
  EXPECT_EQ(light.phase_worst[0], "light-2");
  EXPECT_NEAR(*metric(a, "flow:b@flood.p99"), 0.030, 0.001);
  EXPECT_NEAR(*metric(a, "flow:b@flood.p95"), 0.030, 0.001);
  EXPECT_NEAR(*metric(a, "flow:b.p90"), 0.030, 0.001);
  EXPECT_NEAR(*metric(a, "flow:light-1.p95"), 0.010, 0.001);
  EXPECT_DOUBLE_EQ(*metric(a, "flow:b.worst_goodput_ratio"), 2.0 / 3);  // a single flow is its own worst
  // All flows together, over the run's bands: the first second served all 3, the second 2 of 4.
  EXPECT_DOUBLE_EQ(*metric(a, "flow:all.offered"), 7);
  EXPECT_DOUBLE_EQ(*metric(a, "flow:all@calm.goodput_ratio"), 1.0);
  EXPECT_DOUBLE_EQ(*metric(a, "flow:all@storm.goodput_per_s"), 2.0);
  EXPECT_DOUBLE_EQ(*metric(a, "flow:all@storm.goodput_per_capacity"), 0.5);
}

TEST(FlowStats, AFlowThatOfferedNothingHasNoRatio) {
  const Recorded nothing;
  const std::vector<FlowPlan> flows{flow("idle", {{"off", PhaseRole::other, 0s, 1s, 0, 0}})};
  const std::vector<FlowGroup> groups{{"idle", 0, 1, false}};
  const std::vector<PhaseInfo> bands;
  const FlowAnalysis a = analyze_flows(nothing.records(), FlowRun{flows, groups, bands, std::nullopt, 100ms, 1s});
  EXPECT_FALSE(metric(a, "flow:idle.goodput_ratio").has_value());
  EXPECT_FALSE(a.entries[0].worst_goodput_ratio.has_value());
}

}  // namespace
}  // namespace levee::load
