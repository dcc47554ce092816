#include "proxy/policy/connections_per_client.h"

#include <gtest/gtest.h>

namespace levee::policy {
namespace {

ConnectionsPerClient::Key key(std::string_view address) { return ConnectionsPerClient::key_of(*IpAddress::parse(address)); }

TEST(ConnectionsPerClient, RefusesBeyondTheCapAndAcceptsAgainAfterAClose) {
  ConnectionsPerClient counts;
  EXPECT_TRUE(counts.try_open(key("10.0.0.1"), 2));
  EXPECT_TRUE(counts.try_open(key("10.0.0.1"), 2));
  EXPECT_FALSE(counts.try_open(key("10.0.0.1"), 2));
  EXPECT_EQ(counts.open(key("10.0.0.1")), 2u);
  counts.close(key("10.0.0.1"));
  EXPECT_TRUE(counts.try_open(key("10.0.0.1"), 2));
}

TEST(ConnectionsPerClient, CountsEachAddressOnItsOwn) {
  ConnectionsPerClient counts;
  EXPECT_TRUE(counts.try_open(key("10.0.0.1"), 1));
  EXPECT_TRUE(counts.try_open(key("10.0.0.2"), 1));
  EXPECT_FALSE(counts.try_open(key("10.0.0.1"), 1));
  EXPECT_EQ(counts.clients(), 2u);
}

TEST(ConnectionsPerClient, ForgetsAnAddressWhoseLastConnectionClosed) {
  ConnectionsPerClient counts;
  ASSERT_TRUE(counts.try_open(key("10.0.0.1"), 3));
  counts.close(key("10.0.0.1"));
  EXPECT_EQ(counts.clients(), 0u);
  EXPECT_FALSE(counts.try_open(key("10.0.0.1"), 0));  // a refusal leaves no entry behind
  EXPECT_EQ(counts.clients(), 0u);
  counts.close(key("10.0.0.9"));  // never counted: nothing happens
  EXPECT_EQ(counts.clients(), 0u);
}

TEST(ConnectionsPerClient, CountsIpv6ByItsSlash64) {
  ConnectionsPerClient counts;
  EXPECT_TRUE(counts.try_open(key("2001:db8:1:2::1"), 1));
  EXPECT_FALSE(counts.try_open(key("2001:db8:1:2:ffff::7"), 1));  // same /64
  EXPECT_TRUE(counts.try_open(key("2001:db8:1:3::1"), 1));       // next /64
}

TEST(ConnectionsPerClient, AnIpv4MappedPeerIsItsIpv4Address) {
  ConnectionsPerClient counts;
  EXPECT_TRUE(counts.try_open(key("::ffff:10.0.0.1"), 1));
  EXPECT_FALSE(counts.try_open(key("10.0.0.1"), 1));
  EXPECT_TRUE(counts.try_open(key("::a00:1"), 1));  // not mapped: an IPv6 address of its own
}

}  // namespace
}  // namespace levee::policy
