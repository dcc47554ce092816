#include "proxy/policy/ip_address.h"

#include <gtest/gtest.h>

namespace levee::policy {
namespace {

std::string round_trip(std::string_view text) {
  const auto address = IpAddress::parse(text);
  return address ? address->to_string() : "<invalid>";
}

TEST(IpAddress, ParsesIpv4AsFourBytes) {
  const auto address = IpAddress::parse("10.1.200.255");
  ASSERT_TRUE(address);
  EXPECT_EQ(address->family(), IpAddress::Family::v4);
  ASSERT_EQ(address->bytes().size(), 4u);
  EXPECT_EQ(address->bytes()[1], 1);
  EXPECT_EQ(address->bytes()[3], 255);
  EXPECT_EQ(address->to_string(), "10.1.200.255");
}

TEST(IpAddress, WritesIpv4AsADottedQuad) {
  EXPECT_EQ(IpAddress::v4({0, 0, 0, 0}).to_string(), "0.0.0.0");
  EXPECT_EQ(IpAddress::v4({255, 255, 255, 255}).to_string(), "255.255.255.255");
  EXPECT_EQ(IpAddress::v4({127, 0, 10, 9}).to_string(), "127.0.10.9");
  EXPECT_EQ(round_trip("192.168.100.7"), "192.168.100.7");
}

TEST(IpAddress, RefusesAmbiguousOrMalformedIpv4) {
  for (const char* text : {"", "10.0.0", "10.0.0.0.1", "256.0.0.1", "010.0.0.1", "1..2.3", "1.2.3.4.", "a.b.c.d",
                           "1.2.3.4 ", "1.2.3.4%eth0", "1.2.3.-4", "1234.1.1.1"}) {
    EXPECT_FALSE(IpAddress::parse(text)) << text;
  }
  EXPECT_TRUE(IpAddress::parse("0.0.0.0"));
}

TEST(IpAddress, ParsesIpv6AndWritesItTheRfc5952Way) {
  EXPECT_EQ(round_trip("::1"), "::1");
  EXPECT_EQ(round_trip("::"), "::");
  EXPECT_EQ(round_trip("2001:DB8:0:0:0:0:0:1"), "2001:db8::1");
  EXPECT_EQ(round_trip("2001:db8:0:0:1:0:0:1"), "2001:db8::1:0:0:1");  // first of two equal runs
  EXPECT_EQ(round_trip("2001:db8:0:1:1:1:1:1"), "2001:db8:0:1:1:1:1:1");  // one zero group stays
  EXPECT_EQ(round_trip("fd00::"), "fd00::");
  EXPECT_EQ(round_trip("0001:0002::000a"), "1:2::a");
  EXPECT_EQ(round_trip("64:ff9b::192.0.2.33"), "64:ff9b::c000:221");
}

TEST(IpAddress, RefusesMalformedIpv6) {
  for (const char* text : {":", ":::", "1::2::3", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7", "12345::", "g::1",
                           "1:2:3:4:5:6:7:8::", "::1.2.3", "1.2.3.4::", "::1%", "[::1]"}) {
    EXPECT_FALSE(IpAddress::parse(text)) << text;
  }
}

TEST(IpAddress, AnIpv4MappedAddressIsTheIpv4Address) {
  const auto mapped = IpAddress::parse("::ffff:10.0.0.1");
  ASSERT_TRUE(mapped);
  EXPECT_EQ(mapped->family(), IpAddress::Family::v4);
  EXPECT_EQ(*mapped, *IpAddress::parse("10.0.0.1"));
  EXPECT_EQ(*IpAddress::parse("::ffff:a00:1"), *mapped);
}

TEST(IpAddress, AZoneIsDropped) {
  EXPECT_EQ(*IpAddress::parse("fe80::1%eth0"), *IpAddress::parse("fe80::1"));
}

TEST(IpAddress, HostPortFormsFromForwardingHeaders) {
  EXPECT_EQ(parse_host_port("10.0.0.1:8080"), IpAddress::parse("10.0.0.1"));
  EXPECT_EQ(parse_host_port("10.0.0.1"), IpAddress::parse("10.0.0.1"));
  EXPECT_EQ(parse_host_port("[::1]:443"), IpAddress::parse("::1"));
  EXPECT_EQ(parse_host_port("[::1]"), IpAddress::parse("::1"));
  EXPECT_EQ(parse_host_port("2001:db8::1"), IpAddress::parse("2001:db8::1"));
  for (const char* text : {"10.0.0.1:", "10.0.0.1:x", "[10.0.0.1]", "[::1", "[::1]x", "unknown", "_hidden"}) {
    EXPECT_FALSE(parse_host_port(text)) << text;
  }
}

}  // namespace
}  // namespace levee::policy
