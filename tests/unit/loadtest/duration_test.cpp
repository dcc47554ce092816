#include "common/duration.h"

#include <gtest/gtest.h>

#include "common/host_port.h"

namespace levee::load {
namespace {

using namespace std::chrono_literals;

TEST(Duration, ParsesUnits) {
  EXPECT_EQ(parse_duration("10ms"), Nanos(10ms));
  EXPECT_EQ(parse_duration("1.5s"), Nanos(1500ms));
  EXPECT_EQ(parse_duration("250us"), Nanos(250us));
  EXPECT_EQ(parse_duration("2m"), Nanos(120s));
  EXPECT_EQ(parse_duration("7ns"), Nanos(7));
}

TEST(Duration, RejectsMissingUnitAndJunk) {
  EXPECT_FALSE(parse_duration("10"));
  EXPECT_FALSE(parse_duration("ms"));
  EXPECT_FALSE(parse_duration("-1s"));
  EXPECT_FALSE(parse_duration("1sx"));
  EXPECT_FALSE(parse_duration("1 s"));
}

TEST(Duration, FormatsShortestExactSpelling) {
  EXPECT_EQ(format_duration(10ms), "10ms");
  EXPECT_EQ(format_duration(2s), "2s");
  EXPECT_EQ(format_duration(1500us), "1500us");
  EXPECT_EQ(format_duration(Nanos(0)), "0s");
  EXPECT_EQ(parse_duration(format_duration(Nanos(123456789))), Nanos(123456789));
}

TEST(HostPort, ParsesV4V6AndNames) {
  auto a = parse_host_port("127.0.0.1:8080");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->host, "127.0.0.1");
  EXPECT_EQ(a->port, 8080);
  auto b = parse_host_port("[::1]:0");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->host, "::1");
  EXPECT_FALSE(parse_host_port("localhost"));
  EXPECT_FALSE(parse_host_port("localhost:99999"));
  EXPECT_FALSE(parse_host_port("localhost:"));
}

}  // namespace
}  // namespace levee::load
