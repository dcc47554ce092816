// The parts fair admission is built from: the flow table, the memory of recent keys, the
// heaviest-flows sketch and the keyed flow hash.
#include <gtest/gtest.h>

#include <map>
#include <random>
#include <string>

#include "proxy/policy/flow_hash.h"
#include "proxy/policy/flow_table.h"
#include "proxy/policy/recent_keys.h"
#include "proxy/policy/top_flows.h"
#include "tests/fakes/manual_clock.h"

namespace levee::policy {
namespace {

using namespace std::chrono_literals;

TEST(FlowTable, MatchesAReferenceMapUnderChurn) {
  FlowTable table;
  std::map<FlowId, std::uint32_t> reference;  // id -> in flight
  std::mt19937_64 random(7);
  for (int step = 0; step < 20000; ++step) {
    // Ids with shared low bits collide in the index: backward-shift deletion must keep them found.
    const FlowId id = (random() % 64) << (random() % 2 ? 0 : 20);
    const std::uint32_t slot = table.acquire(id, FlowTraits{});
    if (reference.contains(id) && random() % 2) {
      ASSERT_GT(table[slot].in_flight, 0u);
      if (--table[slot].in_flight == 0) reference.erase(id); else --reference[id];
      table.release_if_idle(slot);
    } else {
      ++table[slot].in_flight;
      ++reference[id];
    }
    ASSERT_EQ(table.size(), reference.size());
  }
  for (const auto& [id, in_flight] : reference) {
    const std::uint32_t slot = table.find(id);
    ASSERT_NE(slot, FlowTable::npos) << id;
    EXPECT_EQ(table[slot].in_flight, in_flight);
  }
  EXPECT_EQ(table.total_weight(), reference.size());
}

TEST(RecentKeys, RemembersAKeyForAtLeastItsCapacityOfOtherKeys) {
  RecentKeys recent(1024);
  EXPECT_FALSE(recent.seen_before(42));
  for (FlowId key = 1'000'000; key < 1'001'000; ++key) recent.seen_before(key);
  EXPECT_TRUE(recent.seen_before(42));
  // Forgotten once two whole filters' worth of other keys came by without it.
  for (FlowId key = 2'000'000; key < 2'002'100; ++key) recent.seen_before(key * 0x9e3779b97f4a7c15ULL);
  EXPECT_FALSE(recent.seen_before(4242));
  const std::size_t memory = recent.memory_bytes();
  for (FlowId key = 3'000'000; key < 3'100'000; ++key) recent.seen_before(key * 0x9e3779b97f4a7c15ULL);
  EXPECT_EQ(recent.memory_bytes(), memory);  // fixed, however many keys
}

TEST(RecentKeys, RarelyMistakesANewKeyForAKnownOne) {
  RecentKeys recent(4096);
  std::mt19937_64 random(3);
  for (int i = 0; i < 4096; ++i) recent.seen_before(random());
  int mistaken = 0;
  for (int i = 0; i < 10000; ++i) mistaken += recent.seen_before(random()) ? 1 : 0;
  EXPECT_LT(mistaken, 100);  // under 1% (the filters are sized for ~0.2% each)
}

TEST(TopFlows, AHeavyFlowStaysListedAmongAMillionLightOnes) {
  testing::ManualClock clock;
  TopFlows top(16, 10s, clock.now());
  for (int i = 0; i < 100000; ++i) {
    top.arrived(static_cast<FlowId>(100 + i), "light");
    if (i % 4 == 0) top.admitted(top.arrived(7, "hog").id);
  }
  const auto heaviest = top.heaviest(3);
  ASSERT_FALSE(heaviest.empty());
  EXPECT_EQ(heaviest.front().label, "hog");
  EXPECT_NEAR(heaviest.front().admitted, 25000, 1);
}

TEST(TopFlows, CountsDecaySoTheListShowsWhoIsHeavyNow) {
  testing::ManualClock clock;
  TopFlows top(4, 10s, clock.now());
  for (int i = 0; i < 100; ++i) top.arrived(1, "yesterday");
  clock.advance(60s);
  top.decay(clock.now());
  for (int i = 0; i < 10; ++i) top.arrived(2, "now");
  EXPECT_EQ(top.heaviest(1).front().label, "now");
}

TEST(FlowHash, IsKeyedAndNeverReturnsAReservedId) {
  const FlowHashKey one{{1, 2}};
  const FlowHashKey two{{3, 4}};
  EXPECT_EQ(flow_id("tenant-a", one), flow_id("tenant-a", one));
  EXPECT_NE(flow_id("tenant-a", one), flow_id("tenant-b", one));
  EXPECT_NE(flow_id("tenant-a", one), flow_id("tenant-a", two));
  for (int i = 0; i < 1000; ++i) {
    const FlowId id = flow_id(std::to_string(i), one);
    EXPECT_NE(id, no_flow_key);
    EXPECT_NE(id, new_keys_flow);
  }
  // Every length around a word boundary hashes (the tail word carries the length).
  EXPECT_NE(flow_id(std::string(8, 'x'), one), flow_id(std::string(9, 'x'), one));
  EXPECT_NE(flow_id("", one), flow_id(std::string(1, '\0'), one));
}

}  // namespace
}  // namespace levee::policy
