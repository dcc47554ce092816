#include "common/duration.h"

#include <gtest/gtest.h>

#include "common/host_port.h"
#include "proxy/config/units.h"

namespace levee::load {
namespace {

using namespace std::chrono_literals;

TEST(Duration, ParsesUnits) {
  EXPECT_EQ(parse_duration("10ms"), Nanos(10ms));
  EXPECT_EQ(parse_duration("1.5s"), Nanos(1500ms));
  EXPECT_EQ(parse_duration("250ms"), Nanos(250ms));
  EXPECT_EQ(parse_duration("250us"), Nanos(250us));
  EXPECT_EQ(parse_duration("250µs"), Nanos(250us));
  EXPECT_EQ(parse_duration("2m"), Nanos(120s));
  EXPECT_EQ(parse_duration("1h"), Nanos(1h));
  EXPECT_EQ(parse_duration("0.5h"), Nanos(30min));
  EXPECT_EQ(parse_duration("7ns"), Nanos(7));
  EXPECT_EQ(parse_duration("0"), Nanos(0));  // the one number that needs no unit, as in levee.yaml
}

TEST(Duration, RejectsMissingUnitAndJunk) {
  EXPECT_FALSE(parse_duration("10"));
  EXPECT_FALSE(parse_duration("1.5"));
  EXPECT_FALSE(parse_duration("ms"));
  EXPECT_FALSE(parse_duration(""));
  EXPECT_FALSE(parse_duration("-1s"));
  EXPECT_FALSE(parse_duration("+1s"));
  EXPECT_FALSE(parse_duration("1e3ms"));
  EXPECT_FALSE(parse_duration(".5s"));
  EXPECT_FALSE(parse_duration("1.s"));
  EXPECT_FALSE(parse_duration("1sx"));
  EXPECT_FALSE(parse_duration("1 s"));
  EXPECT_FALSE(parse_duration("1d"));
  EXPECT_FALSE(parse_duration("1H"));
  EXPECT_FALSE(parse_duration("0.5ns"));            // not a whole nanosecond
  EXPECT_FALSE(parse_duration("9999999999999h"));   // does not fit in 64-bit nanoseconds
}

// One grammar: every word means the same to levee-load as to levee's config loader.
TEST(Duration, AcceptsExactlyWhatLeveeAccepts) {
  for (const char* text : {"1h", "1.5s", "250ms", "2m", "0", "0s", "1.25ms", "250us", "250µs", "10", "1e3ms", "-1s",
                           "1 s", "1d", "0.5ns", ".5s", "1.s", "", "9999999999999h", "106751h"}) {
    EXPECT_EQ(parse_duration(text), config::parse_duration(text)) << text;
  }
}

TEST(Duration, FormatsShortestExactSpelling) {
  EXPECT_EQ(format_duration(10ms), "10ms");
  EXPECT_EQ(format_duration(2s), "2s");
  EXPECT_EQ(format_duration(1h), "1h");
  EXPECT_EQ(format_duration(1500us), "1.5ms");
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
