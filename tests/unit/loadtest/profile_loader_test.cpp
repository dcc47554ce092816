#include "profile/profile_loader.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <string>

#include <cstdio>
#include <fstream>

namespace levee::load {
namespace {

using namespace std::chrono_literals;

// A profile written to a temporary file, removed again by the destructor.
class ProfileFile {
 public:
  explicit ProfileFile(const std::string& text) : path_(testing::TempDir() + "levee_load_profile_test-" + std::to_string(::getpid()) + ".yaml") {
    std::ofstream(path_) << text;
  }
  ~ProfileFile() { std::remove(path_.c_str()); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

constexpr const char* profile = R"(
name: t
target: http://127.0.0.1:8080/work
capacity: 800
client: {timeout: 1s, deadline: 3s}
retry: {mode: impatient, max_retries: 2}
phases:
  - {name: baseline, role: baseline, rate: 0.5x, duration: 5s}
  - {name: ramp, role: overload, rate: 3x, duration: 2s, ramp: true}
  - {name: hold, role: overload, rate: 2400, duration: 3s}
)";

TEST(ProfileLoader, MultiplesOfCapacityRampsAndRoles) {
  ProfileFile file(profile);
  RunOverrides o;
  o.profile_path = file.path();
  auto built = build_plan(o);
  ASSERT_TRUE(std::holds_alternative<RunPlan>(built)) << std::get<std::string>(built);
  const RunPlan& plan = std::get<RunPlan>(built);
  ASSERT_EQ(plan.phases.size(), 3u);
  EXPECT_EQ(plan.phases[0].role, PhaseRole::baseline);
  EXPECT_DOUBLE_EQ(plan.phases[1].start_rate, 400);
  EXPECT_DOUBLE_EQ(plan.phases[1].end_rate, 2400);
  EXPECT_EQ(plan.phases[2].start, 7s);
  EXPECT_EQ(plan.schedule.duration(), 10s);
  EXPECT_DOUBLE_EQ(plan.schedule.total_count(), 400 * 5 + 2800 + 2400 * 3);
  EXPECT_EQ(plan.client.timeout, 1s);
  EXPECT_EQ(plan.client.deadline, 3s);
  EXPECT_EQ(plan.retry.mode, RetryMode::impatient);
  EXPECT_EQ(plan.request.deadline_header, "levee-timeout");
}

TEST(ProfileLoader, FlagsOverrideTheProfile) {
  ProfileFile file(profile);
  RunOverrides o;
  o.profile_path = file.path();
  o.capacity = 100;
  o.targets = {"http://127.0.0.1:9/x"};
  o.deadline_header = "none";
  o.asserts = {"recovery_time<=2s"};
  const RunPlan plan = std::get<RunPlan>(build_plan(o));
  EXPECT_DOUBLE_EQ(plan.phases[0].end_rate, 50);
  EXPECT_EQ(plan.targets[0].port, 9);
  EXPECT_EQ(plan.request.deadline_header, "");
  ASSERT_EQ(plan.thresholds.size(), 1u);
  EXPECT_EQ(plan.thresholds[0].metric, "recovery_time");
}

TEST(ProfileLoader, ErrorsNameTheProblem) {
  auto error = [](const std::string& text) {
    ProfileFile file(text);
    RunOverrides o;
    o.profile_path = file.path();
    auto built = build_plan(o);
    return std::holds_alternative<std::string>(built) ? std::get<std::string>(built) : std::string("no error");
  };
  EXPECT_NE(error("target: http://h:1/\nphases: [{rate: 2x, duration: 1s}]").find("capacity"), std::string::npos);
  EXPECT_NE(error("target: http://h:1/\nphases: [{rate: 10, duration: 10}]").find("duration"), std::string::npos);
  EXPECT_NE(error("target: http://h:1/\nfoo: 1\nphases: [{rate: 10, duration: 1s}]").find("foo"), std::string::npos);
  EXPECT_NE(error("phases: [{rate: 10, duration: 1s}]").find("target"), std::string::npos);
  EXPECT_NE(error("target: http://h:1/\nretry: {mode: eager}\nphases: [{rate: 1, duration: 1s}]").find("retry.mode"),
            std::string::npos);
}

// levee.yaml's duration words work in a profile: hours, fractions, a bare 0.
TEST(ProfileLoader, DurationsUseLeveesGrammar) {
  ProfileFile file(R"(
target: http://127.0.0.1:8080/work
client: {timeout: 1.5s, deadline: 0.05m}
retry: {mode: backoff, base: 250ms, cap: 2m}
phases: [{rate: 1, duration: 1h}, {rate: 1, duration: 0}]
)");
  RunOverrides o;
  o.profile_path = file.path();
  auto built = build_plan(o);
  ASSERT_TRUE(std::holds_alternative<RunPlan>(built)) << std::get<std::string>(built);
  const RunPlan& plan = std::get<RunPlan>(built);
  EXPECT_EQ(plan.schedule.duration(), 1h);
  EXPECT_EQ(plan.client.timeout, 1500ms);
  EXPECT_EQ(plan.client.deadline, 3s);
  RunOverrides bad;
  bad.targets = {"http://127.0.0.1:8080/"};
  bad.rate = 1;
  bad.duration = "1d";
  const auto refused = build_plan(bad);
  ASSERT_TRUE(std::holds_alternative<std::string>(refused));
  EXPECT_NE(std::get<std::string>(refused).find("1d"), std::string::npos) << std::get<std::string>(refused);
}

TEST(ProfileLoader, SinglePhaseFromFlags) {
  RunOverrides o;
  o.targets = {"http://127.0.0.1:8080/"};
  o.rate = 200;
  o.duration = "3s";
  o.timeout = "500ms";
  const RunPlan plan = std::get<RunPlan>(build_plan(o));
  EXPECT_EQ(plan.schedule.duration(), 3s);
  EXPECT_DOUBLE_EQ(plan.schedule.total_count(), 600);
  EXPECT_EQ(plan.client.deadline, 500ms);  // defaults to the timeout
}

}  // namespace
}  // namespace levee::load
