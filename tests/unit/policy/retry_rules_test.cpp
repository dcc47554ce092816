#include "proxy/policy/retry_rules.h"

#include <gtest/gtest.h>

namespace levee::policy {
namespace {

using namespace std::chrono_literals;

RetrySettings three_attempts() {
  RetrySettings settings;
  settings.attempts = 3;
  settings.retry_on = {RetryOn::connect_failure, RetryOn::status};
  settings.statuses = {502, 503};
  settings.backoff_base = 10ms;
  settings.backoff_max = 35ms;
  return settings;
}

TEST(RetryRules, EveryRetryOnWordRoundTrips) {
  for (const RetryOn kind : all_retry_on) EXPECT_EQ(parse_retry_on(name(kind)), kind);
  EXPECT_EQ(parse_retry_on("resets"), std::nullopt);
}

TEST(RetryRules, IdempotentMethodsAreTheRfcOnes) {
  for (const char* method : {"GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"}) EXPECT_TRUE(is_idempotent_method(method));
  for (const char* method : {"POST", "PATCH", "CONNECT", "get"}) EXPECT_FALSE(is_idempotent_method(method));
}

TEST(RetryRules, StatusIsRetriedOnlyWhenListedAndStatusIsARetryKind) {
  RetrySettings settings = three_attempts();
  EXPECT_TRUE(settings.retries_status(502));
  EXPECT_FALSE(settings.retries_status(504));
  settings.retry_on = {RetryOn::connect_failure};
  EXPECT_FALSE(settings.retries_status(502));
}

TEST(RetryRules, OverloadSignalsAreNeverRetried) {
  EXPECT_TRUE(is_overload_signal(429, false));
  EXPECT_TRUE(is_overload_signal(503, true));
  EXPECT_FALSE(is_overload_signal(503, false));
  EXPECT_FALSE(is_overload_signal(502, true));
}

TEST(RetryRules, RetryAfterIsReadOnlyWhereItChangesTheOverloadVerdict) {
  for (unsigned status = 100; status < 600; ++status) {
    if (overload_signal_reads_retry_after(status)) continue;
    EXPECT_EQ(is_overload_signal(status, true), is_overload_signal(status, false)) << status;
  }
  EXPECT_TRUE(overload_signal_reads_retry_after(503));
}

TEST(RetryRules, RefusalNamesTheFirstRuleThatSaysNo) {
  const RetrySettings settings = three_attempts();
  EXPECT_EQ(retry_refusal(settings, Replay{false, true}, 1), RetryOutcome::not_retryable);
  EXPECT_EQ(retry_refusal(settings, Replay{true, false}, 1), RetryOutcome::body_too_large);
  EXPECT_EQ(retry_refusal(settings, Replay{true, true}, 1), std::nullopt);
  EXPECT_EQ(retry_refusal(settings, Replay{true, true}, 2), std::nullopt);
  EXPECT_EQ(retry_refusal(settings, Replay{true, true}, 3), RetryOutcome::exhausted);
}

TEST(RetryRules, BackoffCeilingDoublesUpToTheMaximum) {
  const RetrySettings settings = three_attempts();
  EXPECT_EQ(backoff_ceiling(settings, 1), 10ms);
  EXPECT_EQ(backoff_ceiling(settings, 2), 20ms);
  EXPECT_EQ(backoff_ceiling(settings, 3), 35ms);
  EXPECT_EQ(backoff_ceiling(settings, 30), 35ms);
}

TEST(RetryRules, AllowanceSpendsFromTheBudgetAndCapsConcurrency) {
  RetryBudgetSettings budget;
  budget.ratio = 0.0;
  budget.min_per_second = 1.0;
  budget.window = 1s;
  budget.max_concurrent = 1;
  RetryAllowance allowance(budget, TimePoint{});
  EXPECT_TRUE(allowance.cap.try_acquire());
  EXPECT_FALSE(allowance.cap.try_acquire());
  allowance.cap.release();
  EXPECT_TRUE(allowance.budget.try_spend(TimePoint{}));
  EXPECT_FALSE(allowance.budget.try_spend(TimePoint{}));
}

}  // namespace
}  // namespace levee::policy
