#include "proxy/http/peer_address.h"

#include <gtest/gtest.h>

namespace levee::http {
namespace {

using boost::asio::ip::make_address;
using boost::asio::ip::tcp;

TEST(PeerAddress, ReadsTheEndpointsBytesWithoutItsPort) {
  const auto v4 = peer_address(tcp::endpoint(make_address("10.20.30.40"), 51234));
  EXPECT_EQ(v4.family(), policy::IpAddress::Family::v4);
  EXPECT_EQ(v4.to_string(), "10.20.30.40");
  const auto v6 = peer_address(tcp::endpoint(make_address("2001:db8::7"), 443));
  EXPECT_EQ(v6.family(), policy::IpAddress::Family::v6);
  EXPECT_EQ(v6.to_string(), "2001:db8::7");
}

// A dual-stack listener reports an IPv4 client as ::ffff:a.b.c.d; trust and X-Forwarded-For
// see the IPv4 address, whichever family the listener has.
TEST(PeerAddress, AnIpv4MappedPeerIsItsIpv4Address) {
  const auto mapped = peer_address(tcp::endpoint(make_address("::ffff:192.0.2.9"), 80));
  EXPECT_EQ(mapped, policy::IpAddress::v4({192, 0, 2, 9}));
  EXPECT_EQ(mapped.to_string(), "192.0.2.9");
}

}  // namespace
}  // namespace levee::http
