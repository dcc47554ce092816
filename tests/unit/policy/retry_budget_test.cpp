#include "proxy/policy/retry_budget.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "tests/fakes/manual_clock.h"

namespace levee::policy {
namespace {

using namespace std::chrono_literals;

RetryBudgetSettings budget(double ratio, double min_per_second, Duration window = 10s) {
  RetryBudgetSettings s;
  s.ratio = ratio;
  s.min_per_second = min_per_second;
  s.window = window;
  return s;
}

int spend_all(RetryBudget& b, TimePoint now, int at_most = 10000) {
  int spent = 0;
  while (spent < at_most && b.try_spend(now)) ++spent;
  return spent;
}

TEST(RetryBudget, AQuietRouteMayRetryAtItsFloorOnly) {
  testing::ManualClock clock;
  RetryBudget b(budget(0.1, 1.0), clock.now());
  EXPECT_DOUBLE_EQ(b.balance(clock.now()), 10.0);  // 1 per second over a 10 s window
  EXPECT_EQ(spend_all(b, clock.now()), 10);
  EXPECT_FALSE(b.try_spend(clock.now()));
}

TEST(RetryBudget, RetriesAreAtMostTheRatioOfRequests) {
  testing::ManualClock clock;
  RetryBudget b(budget(0.1, 0.0), clock.now());
  for (int i = 0; i < 1000; ++i) b.on_request(clock.now());
  EXPECT_EQ(spend_all(b, clock.now()), 100);
  // Every request failing and wanting a retry changes nothing: each adds a tenth of a token.
  int retried = 0;
  for (int i = 0; i < 1000; ++i) {
    clock.advance(1ms);
    b.on_request(clock.now());
    if (b.try_spend(clock.now())) ++retried;
  }
  EXPECT_EQ(retried, 100);
}

TEST(RetryBudget, DepositsExpireSoAPastBusyPeriodFundsNothing) {
  testing::ManualClock clock;
  RetryBudget b(budget(0.5, 0.0), clock.now());
  for (int i = 0; i < 100; ++i) b.on_request(clock.now());
  EXPECT_DOUBLE_EQ(b.balance(clock.now()), 50.0);
  clock.advance(5s);
  EXPECT_DOUBLE_EQ(b.balance(clock.now()), 50.0);  // still inside the window
  clock.advance(6s);
  EXPECT_DOUBLE_EQ(b.balance(clock.now()), 0.0);
  EXPECT_FALSE(b.try_spend(clock.now()));
}

TEST(RetryBudget, SpentRetriesExpireWithTheirWindowToo) {
  testing::ManualClock clock;
  RetryBudget b(budget(0.1, 1.0), clock.now());
  EXPECT_EQ(spend_all(b, clock.now()), 10);
  clock.advance(11s);
  EXPECT_EQ(spend_all(b, clock.now()), 10);
}

TEST(RetryBudget, ReconfigureAppliesANewRatioAtOnceAndANewWindowRestarts) {
  testing::ManualClock clock;
  RetryBudget b(budget(0.1, 0.0), clock.now());
  for (int i = 0; i < 100; ++i) b.on_request(clock.now());
  b.reconfigure(budget(0.2, 0.0), clock.now());
  EXPECT_DOUBLE_EQ(b.balance(clock.now()), 20.0);  // the same requests, the new ratio
  b.reconfigure(budget(0.2, 0.0, 5s), clock.now());
  EXPECT_DOUBLE_EQ(b.balance(clock.now()), 0.0);
}

TEST(RetryBudget, TwoThreadsNeverSpendMoreThanThereIs) {
  testing::ManualClock clock;
  RetryBudget b(budget(0.1, 0.0), clock.now());
  for (int i = 0; i < 2000; ++i) b.on_request(clock.now());  // 200 tokens
  std::atomic<int> spent{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 2; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 1000; ++i) {
        b.on_request(clock.now());  // lock-free deposits racing the spends
        if (b.try_spend(clock.now())) spent.fetch_add(1);
      }
    });
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(spent.load(), 400);  // 200 before, 2000 x 0.1 during
  EXPECT_FALSE(b.try_spend(clock.now()));
}

}  // namespace
}  // namespace levee::policy
