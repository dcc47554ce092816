// Profiles with flows: rates and phases per flow, count: members, keys:, caller models inherited
// or overridden, the run's schedule as their sum, and errors that name the line.
#include "profile/flow_loader.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <string>

#include <cstdio>
#include <fstream>

#include "profile/profile_loader.h"

namespace levee::load {
namespace {

using namespace std::chrono_literals;

class FlowProfileFile {
 public:
  explicit FlowProfileFile(const std::string& text) : path_(testing::TempDir() + "levee_load_flow_test-" + std::to_string(::getpid()) + ".yaml") {
    std::ofstream(path_) << text;
  }
  ~FlowProfileFile() { std::remove(path_.c_str()); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

std::variant<RunPlan, std::string> load(const std::string& text, std::vector<std::string> asserts = {}) {
  FlowProfileFile file(text);
  RunOverrides o;
  o.profile_path = file.path();
  o.asserts = std::move(asserts);
  return build_plan(o);
}

std::string error_of(const std::string& text, std::vector<std::string> asserts = {}) {
  auto built = load(text, std::move(asserts));
  return std::holds_alternative<std::string>(built) ? std::get<std::string>(built) : std::string("no error");
}

constexpr const char* tenants = R"(
name: tenants
target: http://127.0.0.1:8080/work
capacity: 400
request: {headers: {X-Tenant: nobody, X-A: b}}
client: {timeout: 1s, deadline: 3s}
retry: {mode: impatient, max_retries: 2}
flows:
  - name: a
    headers: {X-Tenant: a}
    phases:
      - {name: alone, rate: 1x, duration: 4s}
      - {name: flood, rate: 6x, duration: 6s, ramp: true}
  - name: b
    headers: {X-Tenant: b}
    rate: 0.2x
    client: {timeout: 500ms}
    retry: {mode: none}
  - name: light
    count: 3
    headers: {X-Tenant: "light-{i}"}
    rate: 0.004x
    duration: 5s
  - name: rotating
    headers: {X-Tenant: "k-{key}"}
    keys: {count: 1000000, order: random}
    rate: 10
)";

TEST(FlowLoader, FlowsGetTheirSchedulesHeadersAndCallerModels) {
  auto built = load(tenants);
  ASSERT_TRUE(std::holds_alternative<RunPlan>(built)) << std::get<std::string>(built);
  const RunPlan& plan = std::get<RunPlan>(built);
  ASSERT_EQ(plan.flows.size(), 6u);
  ASSERT_EQ(plan.flow_groups.size(), 4u);

  const FlowPlan& a = plan.flows[0];
  EXPECT_EQ(a.name, "a");
  ASSERT_EQ(a.phases.size(), 2u);
  EXPECT_DOUBLE_EQ(a.phases[1].start_rate, 400);
  EXPECT_DOUBLE_EQ(a.phases[1].end_rate, 2400);
  EXPECT_EQ(a.client.deadline, 3s);  // the profile's caller model
  EXPECT_EQ(a.retry.mode, RetryMode::impatient);
  // The flow's header replaces the profile's one of the same name; the others stay.
  EXPECT_EQ(a.request.headers, (std::vector<std::pair<std::string, std::string>>{{"X-A", "b"}, {"X-Tenant", "a"}}));

  const FlowPlan& b = plan.flows[1];
  EXPECT_EQ(b.schedule.duration(), 10s);  // a rate without duration lasts as long as the phased flows
  EXPECT_DOUBLE_EQ(b.schedule.total_count(), 80 * 10);
  EXPECT_EQ(b.client.timeout, 500ms);
  EXPECT_EQ(b.client.deadline, 3s);  // the profile declared a deadline: it stays
  EXPECT_EQ(b.retry.max_retries, 0);

  EXPECT_EQ(plan.flow_groups[2].name, "light");
  EXPECT_EQ(plan.flow_groups[2].first, 2u);
  EXPECT_EQ(plan.flow_groups[2].count, 3u);
  EXPECT_TRUE(plan.flow_groups[2].counted);
  EXPECT_EQ(plan.flows[3].name, "light-2");
  EXPECT_EQ(plan.flows[3].request.headers.back().second, "light-2");
  EXPECT_EQ(plan.flows[3].schedule.duration(), 5s);

  const FlowPlan& rotating = plan.flows[5];
  ASSERT_TRUE(rotating.keys);
  EXPECT_EQ(rotating.keys->count, 1000000u);
  EXPECT_TRUE(rotating.keys->random);

  // The run's schedule is the flows' sum; without profile phases, one band covers it.
  EXPECT_EQ(plan.schedule.duration(), 10s);
  EXPECT_NEAR(plan.schedule.total_count(), 400 * 4 + (400 + 2400) / 2.0 * 6 + 800 + 3 * 1.6 * 5 + 100, 1e-6);
  ASSERT_EQ(plan.phases.size(), 1u);
  EXPECT_EQ(plan.phases[0].name, "run");
  EXPECT_DOUBLE_EQ(plan.phases[0].start_rate, 400 + 80 + 3 * 1.6 + 10);
}

TEST(FlowLoader, ProfilePhasesBecomeTimeBands) {
  auto built = load(R"(
target: http://127.0.0.1:8080/work
capacity: 100
phases:
  - {name: calm, role: baseline, duration: 2s}
  - {name: storm, role: overload, duration: 3s}
flows:
  - {name: a, rate: 1x}
  - {name: b, phases: [{rate: 0, duration: 2s}, {rate: 2x, duration: 3s}]}
)");
  ASSERT_TRUE(std::holds_alternative<RunPlan>(built)) << std::get<std::string>(built);
  const RunPlan& plan = std::get<RunPlan>(built);
  ASSERT_EQ(plan.phases.size(), 2u);
  EXPECT_EQ(plan.phases[1].role, PhaseRole::overload);
  EXPECT_EQ(plan.phases[1].start, 2s);
  EXPECT_DOUBLE_EQ(plan.phases[0].end_rate, 100);
  EXPECT_DOUBLE_EQ(plan.phases[1].start_rate, 300);
  EXPECT_EQ(plan.flows[0].schedule.duration(), 5s);  // a rate lasts as long as the bands
}

TEST(FlowLoader, WithoutFlowsNothingChanges) {
  auto built = load("target: http://h:1/\nphases: [{rate: 10, duration: 1s}]\n");
  ASSERT_TRUE(std::holds_alternative<RunPlan>(built));
  const RunPlan& plan = std::get<RunPlan>(built);
  EXPECT_TRUE(plan.flows.empty());
  const auto flows = flows_to_send(plan);
  ASSERT_EQ(flows.size(), 1u);
  EXPECT_DOUBLE_EQ(flows[0].schedule.total_count(), 10);
}

TEST(FlowLoader, ErrorsNameTheLineAndTheProblem) {
  const std::string head = "target: http://h:1/\ncapacity: 100\nflows:\n";
  EXPECT_NE(error_of(head + "  - {name: a, rate: 1x}\n  - {name: b}\n").find("line 5: flows[1] 'b': give either rate"),
            std::string::npos);
  EXPECT_NE(error_of(head + "  - {name: a, rate: 1x, phases: [{rate: 1, duration: 1s}]}\n").find("either rate"), std::string::npos);
  EXPECT_NE(error_of(head + "  - {rate: 1x, duration: 1s}\n").find("needs a name"), std::string::npos);
  EXPECT_NE(error_of(head + "  - {name: a, rate: 1x}\n").find("give it a duration"), std::string::npos);
  EXPECT_NE(error_of(head + "  - {name: a, rate: 1x, duration: 1s}\n  - {name: a, rate: 1, duration: 1s}\n").find("line 5: flows[1]: a second flow named 'a'"),
            std::string::npos);
  EXPECT_NE(error_of(head + "  - {name: a, rate: lots, duration: 1s}\n").find("line 4: flows[0].rate"), std::string::npos);
  EXPECT_NE(error_of(head + "  - name: a\n    rate: 1\n    duration: 1s\n    colour: red\n").find("line 7: flows[0].colour: unknown key"),
            std::string::npos);
  EXPECT_NE(error_of(head + "  - {name: a, rate: 1, duration: 1s, keys: 10}\n").find("{key}"), std::string::npos);
  EXPECT_NE(error_of(head + "  - {name: a, rate: 1, duration: 1s, headers: {X-T: \"{key}\"}}\n").find("no keys"), std::string::npos);
  EXPECT_NE(error_of(head + "  - {name: a, rate: 1, duration: 1s, keys: 0, headers: {X-T: \"{key}\"}}\n").find("flows[0].keys"),
            std::string::npos);
  EXPECT_NE(error_of(head + "  - {name: a, rate: 1, duration: 1s, count: 0}\n").find("flows[0].count"), std::string::npos);
  EXPECT_NE(error_of(head + "  - {name: a, rate: 1, duration: 1s, client: {timeout: soon}}\n").find("flows[0].client.timeout"),
            std::string::npos);
  EXPECT_NE(error_of(head + "  - {name: a, rate: 1, duration: 1s}\nphases: [{rate: 1, duration: 1s}]\n").find("rates belong to the flows"),
            std::string::npos);
  EXPECT_NE(error_of(head + "  - {name: a, rate: 1, duration: 1s, count: 2}\n  - {name: a-2, rate: 1, duration: 1s}\n").find("member a-2 clashes"),
            std::string::npos);
}

TEST(FlowLoader, FlowThresholdsMustNameAFlowAndPhase) {
  const std::string profile = "target: http://h:1/\nflows:\n  - {name: b, phases: [{name: flood, rate: 1, duration: 1s}]}\n"
                              "  - {name: light, count: 2, rate: 1, duration: 1s}\n";
  EXPECT_EQ(error_of(profile, {"flow:b.goodput_ratio>=0.9", "flow:b@flood.p99<=1s", "flow:light.worst_goodput_ratio>=0.9",
                               "flow:light-2.goodput_ratio>=0.9"}),
            "no error");
  EXPECT_EQ(error_of(profile, {"flow:all.goodput_per_capacity>=0.8", "flow:all@run.goodput_ratio>=0.8"}), "no error");
  EXPECT_NE(error_of("target: http://h:1/\nflows: [{name: all, rate: 1, duration: 1s}]\n").find("stands for all flows"),
            std::string::npos);
  EXPECT_NE(error_of(profile, {"flow:c.goodput_ratio>=0.9"}).find("no flow named 'c'"), std::string::npos);
  EXPECT_NE(error_of(profile, {"flow:b@calm.goodput_ratio>=0.9"}).find("no phase 'calm'"), std::string::npos);
}

}  // namespace
}  // namespace levee::load
