// Goodput spans retries: a user is good when any attempt gets a 2xx by arrival + deadline, and
// is filed under its intended arrival, however late the retry that served it.
#include "client/user_fate.h"

#include <gtest/gtest.h>

#include "stats/aggregate.h"
#include "stats/analysis.h"

namespace levee::load {
namespace {

using namespace std::chrono_literals;
constexpr std::int64_t ms = 1'000'000;

RetryPolicy impatient(int retries) {
  RetryPolicy p;
  p.mode = RetryMode::impatient;
  p.max_retries = retries;
  return p;
}

TEST(UserFate, TwoHundredInTimeIsGoodAfterItIsLate) {
  std::mt19937_64 rng(1);
  const UserRecord user{100 * ms, 0, UserOutcome::pending, Outcome::not_sent, 1};
  const AttemptRecord attempt{};
  EXPECT_EQ(settle_user(user, attempt, Outcome::ok, {}, 1100 * ms, 1s, {}, rng).outcome, UserOutcome::good);
  EXPECT_EQ(settle_user(user, attempt, Outcome::ok, {}, 1101 * ms, 1s, {}, rng).outcome, UserOutcome::late);
}

TEST(UserFate, FailedAttemptIsRetriedOnlyBeforeTheUsersDeadline) {
  std::mt19937_64 rng(1);
  const UserRecord user{0, 0, UserOutcome::pending, Outcome::not_sent, 1};
  AttemptRecord attempt{};
  auto fate = settle_user(user, attempt, Outcome::timeout, {}, 1000 * ms, 3s, impatient(2), rng);
  EXPECT_EQ(fate.outcome, UserOutcome::pending);
  EXPECT_EQ(fate.retry_at_ns, 1000 * ms);
  // Past the deadline the user has given up: no retry, failed.
  fate = settle_user(user, attempt, Outcome::timeout, {}, 3000 * ms, 3s, impatient(2), rng);
  EXPECT_EQ(fate.outcome, UserOutcome::failed);
  // Out of retries.
  attempt.attempt = 2;
  fate = settle_user(user, attempt, Outcome::shed, {}, 1500 * ms, 3s, impatient(2), rng);
  EXPECT_EQ(fate.outcome, UserOutcome::failed);
  EXPECT_FALSE(fate.retry_at_ns);
}

TEST(UserFate, RetryAfterIsHonouredWhenItFitsTheDeadline) {
  std::mt19937_64 rng(1);
  RetryPolicy p = impatient(3);
  p.mode = RetryMode::retry_after;
  const UserRecord user{0, 0, UserOutcome::pending, Outcome::not_sent, 1};
  auto fate = settle_user(user, {}, Outcome::shed, 1s, 10 * ms, 5s, p, rng);
  EXPECT_EQ(fate.retry_at_ns, 1010 * ms);
  fate = settle_user(user, {}, Outcome::shed, 10s, 10 * ms, 5s, p, rng);
  EXPECT_EQ(fate.outcome, UserOutcome::failed);
}

// One user arriving at 50 ms: the first attempt times out at 1.05 s, the retry (intended 1.05 s)
// is served at 1.2 s. Goodput lands in the arrival's bucket; the attempts in their own buckets.
TEST(Goodput, FiledUnderIntendedArrivalAcrossRetries) {
  std::vector<UserRecord> users{{50 * ms, 1200 * ms, UserOutcome::good, Outcome::ok, 2}};
  std::vector<AttemptRecord> attempts{
      {50 * ms, 50 * ms, 50 * ms, 1050 * ms, 0, 0, Outcome::timeout, 0},
      {1050 * ms, 1051 * ms, 1051 * ms, 1200 * ms, 0, 200, Outcome::ok, 1},
  };
  const ThreadRecords r{attempts, users};
  const Series s = bucketize(std::span<const ThreadRecords>(&r, 1), 100ms, 2s);
  ASSERT_EQ(s.buckets.size(), 20u);
  EXPECT_EQ(s.buckets[0].counters.offered, 1u);
  EXPECT_EQ(s.buckets[0].counters.goodput, 1u);
  EXPECT_EQ(s.buckets[0].counters.attempts, 1u);
  EXPECT_EQ(s.buckets[0].counters.of(Outcome::timeout), 1u);
  EXPECT_EQ(s.buckets[10].counters.offered, 0u);
  EXPECT_EQ(s.buckets[10].counters.goodput, 0u);
  EXPECT_EQ(s.buckets[10].counters.attempts, 1u);
  EXPECT_EQ(s.buckets[10].counters.retries, 1u);
  // The user's latency spans both attempts: from arrival to the 2xx.
  EXPECT_NEAR(std::chrono::duration<double>(s.buckets[0].latency.percentile(1.0)).count(), 1.15, 0.015);
}

TEST(Verdict, GeneratorBehindScheduleMakesTheRunInvalid) {
  std::vector<UserRecord> users;
  std::vector<AttemptRecord> attempts;
  for (std::int64_t i = 0; i < 100; ++i) {
    const std::int64_t t = i * 10 * ms;
    users.push_back({t, t + 20 * ms, UserOutcome::good, Outcome::ok, 1});
    attempts.push_back({t, t + 30 * ms, t + 30 * ms, t + 20 * ms, static_cast<std::uint32_t>(i), 200, Outcome::ok, 0});
  }
  const ThreadRecords r{attempts, users};
  const std::span<const ThreadRecords> records(&r, 1);
  const std::vector<PhaseInfo> phases{{"steady", PhaseRole::other, 0s, 1s, 100, 100}};
  const Series s = bucketize(records, 100ms, 1s);
  const RunAnalysis a = analyze(records, s, phases, std::nullopt, {}, {});
  EXPECT_FALSE(a.valid);
  ASSERT_EQ(a.invalid_reasons.size(), 1u);
  EXPECT_NE(a.invalid_reasons[0].find("generator fell behind"), std::string::npos);
}

TEST(Verdict, UnsentRequestsMakeTheRunInvalid) {
  std::vector<UserRecord> users;
  std::vector<AttemptRecord> attempts;
  for (std::int64_t i = 0; i < 100; ++i) {
    const std::int64_t t = i * 10 * ms;
    const bool sent = i % 10 != 0;
    users.push_back({t, t + 1 * ms, sent ? UserOutcome::good : UserOutcome::failed, sent ? Outcome::ok : Outcome::not_sent, 1});
    attempts.push_back({t, t, sent ? t : -1, t + 1 * ms, static_cast<std::uint32_t>(i), 0,
                        sent ? Outcome::ok : Outcome::not_sent, 0});
  }
  const ThreadRecords r{attempts, users};
  const std::span<const ThreadRecords> records(&r, 1);
  const std::vector<PhaseInfo> phases{{"steady", PhaseRole::other, 0s, 1s, 100, 100}};
  const RunAnalysis a = analyze(records, bucketize(records, 100ms, 1s), phases, std::nullopt, {}, {});
  EXPECT_FALSE(a.valid);
  ASSERT_FALSE(a.invalid_reasons.empty());
  EXPECT_NE(a.invalid_reasons[0].find("could not be sent"), std::string::npos);
}

}  // namespace
}  // namespace levee::load
