#include "proxy/policy/address_set.h"

#include <gtest/gtest.h>

namespace levee::policy {
namespace {

AddressSet set_of(std::initializer_list<std::string_view> texts) {
  std::vector<AddressRange> ranges;
  for (const auto text : texts) {
    RangeParse parsed = parse_address_range(text);
    EXPECT_TRUE(parsed.range) << text << ": " << parsed.problem;
    if (parsed.range) ranges.push_back(*parsed.range);
  }
  return AddressSet(std::move(ranges));
}

std::string problem_of(std::string_view text) {
  RangeParse parsed = parse_address_range(text);
  EXPECT_FALSE(parsed.range) << text;
  return parsed.problem;
}

TEST(AddressSet, EmptyContainsNothing) {
  const AddressSet none;
  EXPECT_TRUE(none.empty());
  EXPECT_FALSE(none.contains("127.0.0.1"));
  EXPECT_FALSE(none.contains("::1"));
}

TEST(AddressSet, Ipv4Cidrs) {
  const AddressSet set = set_of({"10.0.0.0/8", "192.168.1.0/24", "172.16.0.0/12"});
  EXPECT_TRUE(set.contains("10.0.0.0"));
  EXPECT_TRUE(set.contains("10.255.255.255"));
  EXPECT_FALSE(set.contains("11.0.0.0"));
  EXPECT_TRUE(set.contains("192.168.1.77"));
  EXPECT_FALSE(set.contains("192.168.2.1"));
  EXPECT_TRUE(set.contains("172.31.0.1"));   // /12 ends inside a byte
  EXPECT_FALSE(set.contains("172.32.0.1"));
}

TEST(AddressSet, Ipv6Cidrs) {
  const AddressSet set = set_of({"fd00::/8", "2001:db8:abcd::/48", "::1/128"});
  EXPECT_TRUE(set.contains("fd12:3456::1"));
  EXPECT_FALSE(set.contains("fe80::1"));
  EXPECT_TRUE(set.contains("2001:db8:abcd:12::1"));
  EXPECT_FALSE(set.contains("2001:db8:abce::1"));
  EXPECT_TRUE(set.contains("::1"));
  EXPECT_FALSE(set.contains("::2"));
}

TEST(AddressSet, SingleAddressesAndWholeFamilies) {
  const AddressSet set = set_of({"127.0.0.1", "::1"});
  EXPECT_TRUE(set.contains("127.0.0.1"));
  EXPECT_FALSE(set.contains("127.0.0.2"));
  EXPECT_TRUE(set.contains("0:0::1"));
  const AddressSet everyone = set_of({"0.0.0.0/0"});
  EXPECT_TRUE(everyone.contains("203.0.113.9"));
  EXPECT_FALSE(everyone.contains("2001:db8::1"));  // a family's range never matches the other
}

TEST(AddressSet, MatchesBinaryAddressesAndRefusesTextThatIsNone) {
  const AddressSet set = set_of({"10.0.0.0/8"});
  EXPECT_TRUE(set.contains(IpAddress::v4({10, 1, 2, 3})));
  EXPECT_FALSE(set.contains(IpAddress::v4({9, 1, 2, 3})));
  EXPECT_FALSE(set.contains("unknown"));
  EXPECT_FALSE(set.contains("10.0.0.1:80"));  // an address, not host:port
}

TEST(AddressSet, Ipv4ClientsOfADualStackListenerMatchIpv4Ranges) {
  const AddressSet set = set_of({"10.0.0.0/8"});
  EXPECT_TRUE(set.contains("::ffff:10.1.2.3"));
  const AddressSet mapped = set_of({"::ffff:10.0.0.0/104"});
  EXPECT_EQ(mapped, set);  // stored as the IPv4 range it covers
  EXPECT_TRUE(mapped.contains("10.9.9.9"));
}

TEST(AddressSet, RangesWriteBackAsTheyParse) {
  const AddressSet set = set_of({"10.0.0.0/8", "127.0.0.1", "::1/128", "2001:DB8::/32", "::ffff:192.168.0.0/112"});
  const std::vector<std::string> expected{"10.0.0.0/8", "127.0.0.1", "::1", "2001:db8::/32", "192.168.0.0/16"};
  EXPECT_EQ(set.to_strings(), expected);
  std::vector<AddressRange> again;
  for (const auto& text : set.to_strings()) again.push_back(*parse_address_range(text).range);
  EXPECT_EQ(AddressSet(again), set);
}

TEST(AddressSet, HostBitsPastThePrefixAreRefusedWithTheNetworkSuggested) {
  const std::string problem = problem_of("10.1.2.3/8");
  EXPECT_NE(problem.find("10.0.0.0/8"), std::string::npos) << problem;
  EXPECT_NE(problem_of("fd00::1/8").find("fd00::/8"), std::string::npos);
}

TEST(AddressSet, MalformedRangesSayWhatIsExpected) {
  EXPECT_NE(problem_of("10.0.0.0/33").find("0 to 32"), std::string::npos);
  EXPECT_NE(problem_of("::/129").find("0 to 128"), std::string::npos);
  EXPECT_NE(problem_of("10.0.0.0/").find("prefix length"), std::string::npos);
  EXPECT_NE(problem_of("10.0.0.0/x").find("prefix length"), std::string::npos);
  EXPECT_NE(problem_of("localhost").find("CIDR"), std::string::npos);
  EXPECT_NE(problem_of("").find("CIDR"), std::string::npos);
  EXPECT_NE(problem_of("fe80::/10%eth0").find("zone"), std::string::npos);
  EXPECT_NE(problem_of("::ffff:0.0.0.0/95").find("at least 96"), std::string::npos);
}

}  // namespace
}  // namespace levee::policy
