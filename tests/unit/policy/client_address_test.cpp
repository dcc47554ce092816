#include "proxy/policy/client_address.h"

#include <gtest/gtest.h>

namespace levee::policy {
namespace {

IpAddress ip(std::string_view text) { return *IpAddress::parse(text); }

struct ClientAddressTest : ::testing::Test {
  // Two load balancers and a mesh gateway levee trusts.
  AddressSet trusted{{*parse_address_range("10.0.0.0/8").range, *parse_address_range("fd00::/8").range}};
};

TEST_F(ClientAddressTest, AnUntrustedPeerIsTheClientWhateverItForwards) {
  EXPECT_EQ(client_address(ip("203.0.113.7"), "1.2.3.4", trusted), ip("203.0.113.7"));
  EXPECT_EQ(client_address(ip("203.0.113.7"), "", trusted), ip("203.0.113.7"));
}

TEST_F(ClientAddressTest, BehindTrustedProxiesTheRightmostUntrustedAddressIsTheClient) {
  // The client sent a forged "6.6.6.6"; the first proxy appended the real peer 198.51.100.2.
  EXPECT_EQ(client_address(ip("10.0.0.2"), "6.6.6.6, 198.51.100.2, 10.0.0.1", trusted), ip("198.51.100.2"));
  EXPECT_EQ(client_address(ip("10.0.0.2"), "198.51.100.2", trusted), ip("198.51.100.2"));
}

TEST_F(ClientAddressTest, ATrustedPeerWithoutForwardedForIsItselfTheClient) {
  EXPECT_EQ(client_address(ip("10.0.0.2"), "", trusted), ip("10.0.0.2"));
}

TEST_F(ClientAddressTest, WhenEveryHopIsTrustedTheLeftmostIsTheClient) {
  EXPECT_EQ(client_address(ip("10.0.0.2"), "10.9.9.9, 10.0.0.1", trusted), ip("10.9.9.9"));
}

TEST_F(ClientAddressTest, GarbageStopsTheWalkAtTheTrustedHopThatWroteIt) {
  EXPECT_EQ(client_address(ip("10.0.0.2"), "198.51.100.2, unknown, 10.0.0.1", trusted), ip("10.0.0.1"));
  EXPECT_EQ(client_address(ip("10.0.0.2"), "unknown", trusted), ip("10.0.0.2"));
}

TEST_F(ClientAddressTest, PortsBracketsIpv6AndEmptyElementsAreRead) {
  EXPECT_EQ(client_address(ip("fd00::5"), "[2001:db8::9]:4711 , , 10.0.0.1:80", trusted), ip("2001:db8::9"));
  EXPECT_EQ(client_address(ip("::ffff:10.0.0.2"), "2001:db8::9", trusted), ip("2001:db8::9"));
}

}  // namespace
}  // namespace levee::policy
