// Durations and sizes: the parsers, their shortest spelling, and how the loader reports a bad one.

#include <chrono>

#include <gtest/gtest.h>

#include "config_test_support.h"
#include "proxy/config/header_duration.h"
#include "proxy/config/units.h"

namespace levee::config {
namespace {

using namespace std::chrono_literals;
using testing::load_ok;
using testing::load_one_error;

TEST(ParseDuration, AcceptsEveryUnitAndFractions) {
  EXPECT_EQ(parse_duration("250ms"), Duration(250ms));
  EXPECT_EQ(parse_duration("1.5s"), Duration(1500ms));
  EXPECT_EQ(parse_duration("2m"), Duration(120s));
  EXPECT_EQ(parse_duration("1h"), Duration(3600s));
  EXPECT_EQ(parse_duration("10us"), Duration(10us));
  EXPECT_EQ(parse_duration("10µs"), Duration(10us));
  EXPECT_EQ(parse_duration("7ns"), Duration(7ns));
  EXPECT_EQ(parse_duration("0"), Duration::zero());
  EXPECT_EQ(parse_duration("0s"), Duration::zero());
}

TEST(ParseDuration, RejectsAmbiguousOrInexactForms) {
  EXPECT_FALSE(parse_duration("30"));     // seconds or milliseconds?
  EXPECT_FALSE(parse_duration("1.5ns"));  // not a whole nanosecond
  EXPECT_FALSE(parse_duration("-1s"));
  EXPECT_FALSE(parse_duration("1.s"));
  EXPECT_FALSE(parse_duration(".5s"));
  EXPECT_FALSE(parse_duration("1 s"));
  EXPECT_FALSE(parse_duration("1sec"));
  EXPECT_FALSE(parse_duration(""));
  EXPECT_FALSE(parse_duration("fast"));
  EXPECT_FALSE(parse_duration("99999999999h"));  // overflows
}

TEST(ParseSize, BinaryAndDecimalUnits) {
  EXPECT_EQ(parse_size("512"), 512u);
  EXPECT_EQ(parse_size("512B"), 512u);
  EXPECT_EQ(parse_size("64KiB"), 64 * KiB);
  EXPECT_EQ(parse_size("1MiB"), MiB);
  EXPECT_EQ(parse_size("1.5MiB"), MiB + MiB / 2);
  EXPECT_EQ(parse_size("2GiB"), 2 * GiB);
  EXPECT_EQ(parse_size("1KB"), 1000u);
  EXPECT_EQ(parse_size("1kB"), 1000u);
  EXPECT_EQ(parse_size("3MB"), 3'000'000u);
}

TEST(ParseSize, RejectsAmbiguousPrefixesAndFractionsOfBytes) {
  EXPECT_FALSE(parse_size("64k"));
  EXPECT_FALSE(parse_size("64K"));
  EXPECT_FALSE(parse_size("1M"));
  EXPECT_FALSE(parse_size("1.5"));
  EXPECT_FALSE(parse_size("1 MiB"));
  EXPECT_FALSE(parse_size("lots"));
}

TEST(FormatUnits, ShortestExactFormRoundTrips) {
  EXPECT_EQ(format_duration(250ms), "250ms");
  EXPECT_EQ(format_duration(1500ms), "1.5s");
  EXPECT_EQ(format_duration(2s), "2s");
  EXPECT_EQ(format_duration(60s), "1m");
  EXPECT_EQ(format_duration(Duration::zero()), "0s");
  EXPECT_EQ(format_size(64 * KiB), "64KiB");
  EXPECT_EQ(format_size(GiB), "1GiB");
  EXPECT_EQ(format_size(1000), "1KB");
  EXPECT_EQ(format_size(1536), "1536");
  EXPECT_EQ(format_size(0), "0");
  for (const Duration d : {Duration(1), Duration(1001ms), Duration(90s), Duration(123456789)}) {
    EXPECT_EQ(parse_duration(format_duration(d)), d) << format_duration(d);
  }
  for (const std::uint64_t bytes : {std::uint64_t{1}, 1536 * KiB, 3 * GiB + 1, std::uint64_t{999'000}}) {
    EXPECT_EQ(parse_size(format_size(bytes)), bytes) << format_size(bytes);
  }
}

TEST(LoaderUnits, ReadsDurationsAndSizes) {
  const Config c = load_ok(R"(
listener:
  header_timeout: 1.5s
  max_header_bytes: 32KiB
  max_body_bytes: 10MB
server:
  drain_delay: 0
)");
  EXPECT_EQ(c.listener.header_timeout, 1500ms);
  EXPECT_EQ(c.listener.max_header_bytes, 32 * KiB);
  EXPECT_EQ(c.listener.max_body_bytes, 10'000'000u);
  EXPECT_EQ(c.server.drain_delay, Duration::zero());
}

TEST(LoaderUnits, BadDurationNamesTheExpectedForm) {
  const ConfigError e = load_one_error("listener:\n  idle_timeout: soon\n");
  EXPECT_EQ(e.key_path, "listener.idle_timeout");
  EXPECT_EQ(e.line, 2);
  EXPECT_NE(e.message.find("a duration like 250ms, 1.5s or 2m"), std::string::npos) << e.message;
  EXPECT_NE(e.message.find("'soon'"), std::string::npos) << e.message;
}

TEST(LoaderUnits, BareNumberDurationAsksForAUnit) {
  const ConfigError e = load_one_error("listener:\n  idle_timeout: 30\n");
  EXPECT_EQ(e.key_path, "listener.idle_timeout");
  EXPECT_NE(e.message.find("a duration like"), std::string::npos) << e.message;
  EXPECT_NE(e.message.find("needs a unit"), std::string::npos) << e.message;
}

TEST(LoaderUnits, ZeroTimeoutIsRefusedWhereATimeoutMustBePositive) {
  const ConfigError e = load_one_error("listener:\n  idle_timeout: 0s\n");
  EXPECT_EQ(e.key_path, "listener.idle_timeout");
  EXPECT_NE(e.message.find("greater than 0"), std::string::npos) << e.message;
}

TEST(LoaderUnits, BadSizeNamesTheExpectedForm) {
  const ConfigError e = load_one_error("listener:\n  max_body_bytes: huge\n");
  EXPECT_EQ(e.key_path, "listener.max_body_bytes");
  EXPECT_NE(e.message.find("a size like 512, 64KiB or 1MiB"), std::string::npos) << e.message;
}

TEST(LoaderUnits, AmbiguousSizeSuggestsBothSpellings) {
  const ConfigError e = load_one_error("listener:\n  max_header_bytes: 64k\n");
  EXPECT_EQ(e.key_path, "listener.max_header_bytes");
  EXPECT_NE(e.message.find("ambiguous"), std::string::npos) << e.message;
  EXPECT_NE(e.message.find("64KiB"), std::string::npos) << e.message;
  EXPECT_NE(e.message.find("64KB"), std::string::npos) << e.message;
}

TEST(LoaderUnits, SizeOutOfRangeGivesTheRange) {
  const ConfigError e = load_one_error("listener:\n  max_header_bytes: 100\n");
  EXPECT_EQ(e.key_path, "listener.max_header_bytes");
  EXPECT_NE(e.message.find("from 1KiB to 16MiB"), std::string::npos) << e.message;
}

TEST(HeaderDuration, SameSpellingAsConfigAndBareMilliseconds) {
  EXPECT_EQ(parse_header_duration("1500ms"), Duration(1500ms));
  EXPECT_EQ(parse_header_duration("2s"), Duration(2s));
  EXPECT_EQ(parse_header_duration("1.5s"), Duration(1500ms));
  EXPECT_EQ(parse_header_duration("250"), Duration(250ms));
  EXPECT_EQ(parse_header_duration("0"), Duration::zero());
}

TEST(HeaderDuration, TrimsSpacesAndTabs) {
  EXPECT_EQ(parse_header_duration(" 2s "), Duration(2s));
  EXPECT_EQ(parse_header_duration("\t250\t"), Duration(250ms));
}

TEST(HeaderDuration, GarbageIsIgnored) {
  EXPECT_EQ(parse_header_duration("x"), std::nullopt);
  EXPECT_EQ(parse_header_duration(""), std::nullopt);
  EXPECT_EQ(parse_header_duration("   "), std::nullopt);
  EXPECT_EQ(parse_header_duration("-5"), std::nullopt);
  EXPECT_EQ(parse_header_duration("2 s"), std::nullopt);
  EXPECT_EQ(parse_header_duration("1.5"), std::nullopt);  // a bare number must be whole ms
}

// A deadline is `arrival + duration` in signed nanoseconds: a huge header must not wrap it.
TEST(HeaderDuration, HugeValuesAreCappedInsteadOfOverflowing) {
  EXPECT_EQ(parse_header_duration("9999999999999s"), max_header_duration);  // ~1e22 ns: past int64
  EXPECT_EQ(parse_header_duration("9223372036s"), max_header_duration);     // fits, but now + d would not
  EXPECT_EQ(parse_header_duration("9999999999999999999999"), max_header_duration);  // bare ms
  EXPECT_EQ(parse_header_duration("99999999999999999999999999999h"), max_header_duration);
  EXPECT_EQ(parse_header_duration("25h"), max_header_duration);
  EXPECT_EQ(parse_header_duration("24h"), max_header_duration);
  EXPECT_EQ(parse_header_duration("86399.5s"), Duration(86399500ms));  // just under: exact
  const auto far = std::chrono::steady_clock::now() + *parse_header_duration("9999999999999s");
  EXPECT_GT(far, std::chrono::steady_clock::now());
  EXPECT_EQ(parse_header_duration("1.0000000001ns"), std::nullopt);  // still exact or nothing
}

}  // namespace
}  // namespace levee::config
