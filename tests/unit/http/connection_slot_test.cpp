// ConnectionSlot: a connection's place in the counts is given back exactly once, by its last
// owner, however often it moves (session -> parked connection -> session).

#include "proxy/http/connection_slot.h"

#include "tests/fakes/manual_clock.h"

#include <gtest/gtest.h>
#include <prometheus/registry.h>

#include <memory>
#include <optional>

namespace levee::http {
namespace {

class ConnectionSlotTest : public ::testing::Test {
 protected:
  // What the listener does before it hands the socket on: the process count, and the client's.
  std::optional<policy::ConnectionsPerClient::Key> accept_counted() {
    shared_.open_connections.fetch_add(1);
    EXPECT_TRUE(shared_.connections_per_client.try_open(key_, 1));
    return key_;
  }
  double gauge() const { return metrics_.client_connections_open().Value(); }

  prometheus::Registry registry_;
  observability::ProxyMetrics metrics_{registry_, {"default"}, {"backend"}, {}};
  levee::testing::ManualClock clock_;
  ProxyShared shared_{metrics_, clock_, 1, 1};
  policy::ConnectionsPerClient::Key key_ = policy::ConnectionsPerClient::key_of(*policy::IpAddress::parse("192.0.2.7"));
};

TEST_F(ConnectionSlotTest, TheLastOwnerGivesEveryCountBackOnce) {
  auto first = std::make_unique<ConnectionSlot>(shared_, accept_counted());
  EXPECT_EQ(gauge(), 1);
  auto parked = std::make_unique<ConnectionSlot>(std::move(*first));
  first.reset();  // the session that parked ends
  EXPECT_EQ(gauge(), 1);
  EXPECT_EQ(shared_.open_connections.load(), 1u);
  EXPECT_EQ(shared_.connections_per_client.open(key_), 1u);
  EXPECT_FALSE(shared_.connections_per_client.try_open(key_, 1));  // still this client's one place

  auto resumed = std::make_unique<ConnectionSlot>(std::move(*parked));
  parked.reset();
  EXPECT_EQ(gauge(), 1);
  resumed.reset();  // the connection closes
  EXPECT_EQ(gauge(), 0);
  EXPECT_EQ(shared_.open_connections.load(), 0u);
  EXPECT_EQ(shared_.connections_per_client.open(key_), 0u);
}

TEST_F(ConnectionSlotTest, AnUncountedConnectionTouchesNoPerClientCount) {
  shared_.open_connections.fetch_add(1);
  { ConnectionSlot slot(shared_, std::nullopt); }
  EXPECT_EQ(gauge(), 0);
  EXPECT_EQ(shared_.open_connections.load(), 0u);
  EXPECT_EQ(shared_.connections_per_client.open(key_), 0u);
}

}  // namespace
}  // namespace levee::http
