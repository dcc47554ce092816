#include "client/retry_policy.h"

#include <gtest/gtest.h>

namespace levee::load {
namespace {

using namespace std::chrono_literals;

TEST(RetryPolicy, NoneNeverRetries) {
  std::mt19937_64 rng(1);
  EXPECT_FALSE(next_retry_delay({RetryMode::none}, Outcome::timeout, 0, {}, rng));
}

TEST(RetryPolicy, ImpatientRetriesAtOnceUpToMax) {
  std::mt19937_64 rng(1);
  RetryPolicy p{RetryMode::impatient, 2};
  EXPECT_EQ(next_retry_delay(p, Outcome::timeout, 0, {}, rng), Nanos(0));
  EXPECT_EQ(next_retry_delay(p, Outcome::shed, 1, {}, rng), Nanos(0));
  EXPECT_FALSE(next_retry_delay(p, Outcome::shed, 2, {}, rng));
  EXPECT_FALSE(next_retry_delay(p, Outcome::ok, 0, {}, rng));
  EXPECT_FALSE(next_retry_delay(p, Outcome::http_4xx, 0, {}, rng));
}

TEST(RetryPolicy, BackoffIsJitteredUnderAnExponentialCeiling) {
  std::mt19937_64 rng(1);
  RetryPolicy p{RetryMode::backoff, 10, 100ms, 1s};
  for (int attempt = 0; attempt < 6; ++attempt) {
    Nanos ceiling = std::min<Nanos>(Nanos(100ms) * (1 << attempt), Nanos(1s));
    for (int i = 0; i < 100; ++i) {
      Nanos d = *next_retry_delay(p, Outcome::http_5xx, attempt, {}, rng);
      EXPECT_GE(d, Nanos(0));
      EXPECT_LE(d, ceiling);
    }
  }
}

TEST(RetryPolicy, HonoursRetryAfterWhenGiven) {
  std::mt19937_64 rng(1);
  RetryPolicy p{RetryMode::retry_after, 3, 100ms, 1s};
  EXPECT_EQ(next_retry_delay(p, Outcome::shed, 0, Nanos(2s), rng), Nanos(2s));
  EXPECT_LE(*next_retry_delay(p, Outcome::shed, 0, {}, rng), Nanos(100ms));
}

}  // namespace
}  // namespace levee::load
