#include "proxy/policy/tunnel_ledger.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace levee::policy {
namespace {

// Helper verbs: one tunnel through its whole life.
bool open_tunnel(TunnelLedger& ledger, std::size_t route, std::uint64_t max) {
  if (!ledger.try_reserve(max)) return false;
  ledger.establish(route);
  return true;
}

TEST(TunnelLedger, RefusesPastTheCapAndAcceptsAgainAfterAClose) {
  TunnelLedger ledger(2);
  EXPECT_TRUE(open_tunnel(ledger, 0, 2));
  EXPECT_TRUE(open_tunnel(ledger, 1, 2));
  EXPECT_FALSE(ledger.try_reserve(2));
  ledger.close(0);
  EXPECT_TRUE(ledger.try_reserve(2));
}

TEST(TunnelLedger, AHandshakeInProgressHoldsItsPlace) {
  // Two upgrade requests at the service at once, cap 1: the second is refused before it is
  // sent, not after both succeeded.
  TunnelLedger ledger(1);
  ASSERT_TRUE(ledger.try_reserve(1));
  EXPECT_FALSE(ledger.try_reserve(1));
  EXPECT_EQ(ledger.open(0), 0u);  // reserved is not open
  ledger.cancel();                // the service declined
  EXPECT_EQ(ledger.taken(), 0u);
  EXPECT_TRUE(ledger.try_reserve(1));
}

TEST(TunnelLedger, CountsOpenTunnelsPerRoute) {
  TunnelLedger ledger(3);
  ASSERT_TRUE(open_tunnel(ledger, 0, 0));
  ASSERT_TRUE(open_tunnel(ledger, 2, 0));
  ASSERT_TRUE(open_tunnel(ledger, 2, 0));
  EXPECT_EQ(ledger.open(0), 1u);
  EXPECT_EQ(ledger.open(1), 0u);
  EXPECT_EQ(ledger.open(2), 2u);
  EXPECT_EQ(ledger.open_total(), 3u);
  ledger.close(2);
  EXPECT_EQ(ledger.open(2), 1u);
  EXPECT_EQ(ledger.taken(), 2u);
}

TEST(TunnelLedger, ZeroMeansNoCap) {
  TunnelLedger ledger(1);
  for (int i = 0; i < 10'000; ++i) ASSERT_TRUE(ledger.try_reserve(0));
  EXPECT_EQ(ledger.taken(), 10'000u);
}

TEST(TunnelLedger, ALoweredCapRefusesNewTunnelsAndKeepsTheOpenOnes) {
  // A reload from max 3 to max 1 with 3 open: none is closed, none more is let in until the
  // count is under the new cap.
  TunnelLedger ledger(1);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(open_tunnel(ledger, 0, 3));
  EXPECT_FALSE(ledger.try_reserve(1));
  ledger.close(0);
  ledger.close(0);
  EXPECT_FALSE(ledger.try_reserve(1));
  ledger.close(0);
  EXPECT_TRUE(ledger.try_reserve(1));
}

TEST(TunnelLedger, ConcurrentReservationsNeverOvershootTheCap) {
  TunnelLedger ledger(1);
  constexpr std::uint64_t cap = 100;
  std::atomic<std::uint64_t> granted{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 1000; ++i)
        if (ledger.try_reserve(cap)) granted.fetch_add(1);
    });
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(granted.load(), cap);
  EXPECT_EQ(ledger.taken(), cap);
}

TEST(TunnelLedger, ResultNamesAreTheMetricLabels) {
  EXPECT_EQ(all_tunnel_results.size(), 5u);
  EXPECT_EQ(name(TunnelResult::shed), "shed");
  EXPECT_EQ(name(TunnelResult::established), "established");
  EXPECT_EQ(name(TunnelResult::over_cap), "over_cap");
  EXPECT_EQ(name(TunnelResult::declined), "declined");
  EXPECT_EQ(name(TunnelResult::failed), "failed");
  for (std::size_t i = 0; i < all_tunnel_results.size(); ++i) EXPECT_EQ(index(all_tunnel_results[i]), i);
}

}  // namespace
}  // namespace levee::policy
