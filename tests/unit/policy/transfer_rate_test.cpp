#include "proxy/policy/transfer_rate.h"

#include "tests/fakes/manual_clock.h"

#include <gtest/gtest.h>

namespace levee::policy {
namespace {

using namespace std::chrono_literals;

// A transfer driven by a manual clock: `move` is a read or write completing, `wait` time
// passing with nothing completing, and each returns what the I/O side would see.
class Transfer {
 public:
  explicit Transfer(TransferRateSettings settings) : rate_(settings, clock_.now()) {}

  TransferVerdict move(std::uint64_t bytes, Duration after) {
    clock_.advance(after);
    rate_.record(bytes);
    return rate_.check(clock_.now());
  }
  TransferVerdict wait(Duration d) {
    clock_.advance(d);
    return rate_.check(clock_.now());
  }
  void pause() { rate_.pause(clock_.now()); }
  void resume() { rate_.resume(clock_.now()); }
  // Time from now to the rule's next check.
  Duration until_next_check() const { return rate_.next_check() - clock_.now(); }

 private:
  testing::ManualClock clock_;
  TransferRate rate_;
};

TransferRateSettings per_second(std::uint64_t bytes) {
  return {.min_bytes_per_second = bytes, .window = 5s, .grace = 5s, .max_duration = Duration::zero()};
}

TEST(TransferRate, AStreamAboveTheRateIsNeverCut) {
  Transfer transfer(per_second(1000));
  for (int second = 0; second < 120; ++second) ASSERT_EQ(transfer.move(1200, 1s), TransferVerdict::ok) << second;
}

TEST(TransferRate, AByteASecondIsCutAtTheEndOfTheFirstWindowAfterTheGrace) {
  Transfer transfer(per_second(1000));
  for (int second = 1; second < 10; ++second) ASSERT_EQ(transfer.move(1, 1s), TransferVerdict::ok) << second;
  EXPECT_EQ(transfer.move(1, 1s), TransferVerdict::too_slow);  // 10 s: grace 5 s + one 5 s window
}

TEST(TransferRate, TheGraceIsFreeTime) {
  Transfer transfer(per_second(1000));
  EXPECT_EQ(transfer.wait(4s), TransferVerdict::ok);  // nothing at all yet, still within grace
  // The first window (5 s after the grace) needs 5000 bytes; 4 s of silence did not count.
  EXPECT_EQ(transfer.move(5000, 6s), TransferVerdict::ok);
}

TEST(TransferRate, EachWindowIsJudgedOnItsOwn) {
  Transfer transfer(per_second(1000));
  EXPECT_EQ(transfer.move(1'000'000, 10s), TransferVerdict::ok);  // a fast first window
  // A fast start buys nothing for the next window: 4999 bytes in 5 s is below 1000/s.
  EXPECT_EQ(transfer.move(4999, 5s), TransferVerdict::too_slow);
}

TEST(TransferRate, ALateCheckJudgesTheAverageOverTheLongerWindow) {
  Transfer transfer(per_second(1000));
  // One write that took 20 s after the grace, moving 20000 bytes: exactly the rate.
  EXPECT_EQ(transfer.move(20'000, 25s), TransferVerdict::ok);
  Transfer slower(per_second(1000));
  EXPECT_EQ(slower.move(19'999, 25s), TransferVerdict::too_slow);
}

TEST(TransferRate, NextCheckIsTheWindowEndSoAStalledTransferIsCutWithoutACompletion) {
  Transfer transfer(per_second(1000));
  EXPECT_EQ(transfer.until_next_check(), 10s);
  EXPECT_EQ(transfer.move(6000, 3s), TransferVerdict::ok);
  EXPECT_EQ(transfer.until_next_check(), 7s);  // bytes in the window do not move the check
  EXPECT_EQ(transfer.wait(7s), TransferVerdict::ok);  // the window passed: the next one starts
  EXPECT_EQ(transfer.until_next_check(), 5s);
  EXPECT_EQ(transfer.wait(5s), TransferVerdict::too_slow);  // nothing moved in it
}

TEST(TransferRate, TheTotalDeadlineCutsASteadyTrickle) {
  TransferRateSettings settings = per_second(1000);
  settings.max_duration = 60s;
  Transfer transfer(settings);
  for (int second = 1; second <= 60; ++second) ASSERT_EQ(transfer.move(2000, 1s), TransferVerdict::ok) << second;
  EXPECT_EQ(transfer.until_next_check(), 1ns);
  EXPECT_EQ(transfer.move(2000, 1s), TransferVerdict::too_long);
}

TEST(TransferRate, TheTotalDeadlineAloneNeedsNoRate) {
  TransferRateSettings settings = per_second(0);
  settings.max_duration = 30s;
  ASSERT_TRUE(settings.enabled());
  Transfer transfer(settings);
  EXPECT_EQ(transfer.wait(30s), TransferVerdict::ok);
  EXPECT_EQ(transfer.until_next_check(), 1ns);
  EXPECT_EQ(transfer.wait(1ns), TransferVerdict::too_long);
}

TEST(TransferRate, OffMeansNeverCutAndNoTimer) {
  const TransferRateSettings settings = per_second(0);
  ASSERT_FALSE(settings.enabled());
  Transfer transfer(settings);
  EXPECT_EQ(transfer.wait(std::chrono::hours(24)), TransferVerdict::ok);
  TransferRate rate(settings, TimePoint{});
  EXPECT_EQ(rate.next_check(), TimePoint::max());
}

TEST(TransferRate, TimeSpentWaitingOnTheOtherSideIsNotTheClients) {
  TransferRateSettings settings = per_second(1000);
  settings.max_duration = 30s;
  Transfer transfer(settings);
  EXPECT_EQ(transfer.move(3000, 3s), TransferVerdict::ok);
  transfer.pause();  // the service takes a minute to produce the next piece
  EXPECT_EQ(transfer.wait(60s), TransferVerdict::ok);
  transfer.resume();
  EXPECT_EQ(transfer.until_next_check(), 7s);  // the window goes on where it stopped
  EXPECT_EQ(transfer.move(2000, 7s), TransferVerdict::ok);  // 5000 bytes in the 5 s window
  EXPECT_EQ(transfer.move(20'000, 20s), TransferVerdict::ok);  // 30 s of client time in all
  EXPECT_EQ(transfer.wait(1s), TransferVerdict::too_long);
}

TEST(TransferRate, PausedMeansNoTimer) {
  TransferRate rate(per_second(1000), TimePoint{});
  rate.pause(TimePoint{} + 1s);
  rate.pause(TimePoint{} + 2s);  // repeated: the first one counts
  EXPECT_EQ(rate.next_check(), TimePoint::max());
  EXPECT_EQ(rate.check(TimePoint{} + 1h), TransferVerdict::ok);
  rate.resume(TimePoint{} + 11s);
  EXPECT_EQ(rate.next_check(), TimePoint{} + 20s);
}

TEST(TransferRate, HugeByteCountsDoNotOverflow) {
  Transfer transfer(per_second(1));
  EXPECT_EQ(transfer.move(std::uint64_t{1} << 62, 10s), TransferVerdict::ok);
  EXPECT_EQ(transfer.move(5, 5s), TransferVerdict::ok);
  EXPECT_EQ(transfer.move(4, 5s), TransferVerdict::too_slow);
}

}  // namespace
}  // namespace levee::policy
