#include "proxy/policy/h2_abuse.h"

#include <gtest/gtest.h>

#include "tests/fakes/manual_clock.h"

namespace levee::policy {
namespace {

using namespace std::chrono_literals;

struct H2AbuseTest : ::testing::Test {
  testing::ManualClock clock;
  H2AbuseSettings settings;

  // Records `signal` n times at the current time; returns the first rule named, if any.
  std::optional<H2Abuse> repeat(H2AbuseGuard& guard, H2Signal signal, int n, std::uint64_t bytes = 0) {
    std::optional<H2Abuse> first;
    for (int i = 0; i < n; ++i) {
      const auto rule = guard.record(signal, clock.now(), bytes);
      if (rule && !first) first = rule;
    }
    return first;
  }
  // Opens and resets n streams.
  std::optional<H2Abuse> open_and_reset(H2AbuseGuard& guard, int n) {
    std::optional<H2Abuse> first;
    for (int i = 0; i < n && !first; ++i) {
      guard.record(H2Signal::stream_opened, clock.now());
      first = guard.record(H2Signal::stream_reset, clock.now());
    }
    return first;
  }
};

TEST_F(H2AbuseTest, DefaultsAreValid) { EXPECT_EQ(validate(H2AbuseSettings{}), std::nullopt); }

TEST_F(H2AbuseTest, ValidateNamesTheKey) {
  H2AbuseSettings bad;
  bad.max_reset_ratio = 1.5;
  ASSERT_TRUE(validate(bad).has_value());
  EXPECT_TRUE(validate(bad)->starts_with("max_reset_ratio"));
  bad = {};
  bad.window = Duration::zero();
  EXPECT_TRUE(validate(bad)->starts_with("window"));
}

TEST_F(H2AbuseTest, ResetsUpToTheLimitPerWindowAreFine) {
  settings.max_resets_per_window = 10;
  H2AbuseGuard guard(settings);
  EXPECT_EQ(open_and_reset(guard, 10), std::nullopt);
  EXPECT_EQ(open_and_reset(guard, 1), H2Abuse::rapid_reset);
  EXPECT_EQ(guard.tripped(), H2Abuse::rapid_reset);
}

TEST_F(H2AbuseTest, TheResetWindowStartsOver) {
  settings.max_resets_per_window = 10;
  settings.reset_ratio_min_streams = 1'000'000;  // the rate rule alone
  H2AbuseGuard guard(settings);
  for (int second = 0; second < 20; ++second) {
    EXPECT_EQ(open_and_reset(guard, 10), std::nullopt) << "second " << second;
    clock.advance(1s);
  }
}

TEST_F(H2AbuseTest, MostStreamsResetOverTheLifetimeTripsTheRatio) {
  settings.max_resets_per_window = 100;
  settings.reset_ratio_min_streams = 100;
  settings.max_reset_ratio = 0.5;
  H2AbuseGuard guard(settings);
  // 40 a second, each reset: under the rate, but past the ratio as soon as 100 were opened.
  std::optional<H2Abuse> rule;
  int seconds = 0;
  for (; seconds < 10 && !rule; ++seconds) {
    rule = open_and_reset(guard, 40);
    clock.advance(1s);
  }
  EXPECT_EQ(rule, H2Abuse::reset_ratio);
  EXPECT_EQ(seconds, 3);
  EXPECT_GE(guard.streams_opened(), 100u);
}

TEST_F(H2AbuseTest, AFewResetsAmongManyStreamsAreFine) {
  settings.reset_ratio_min_streams = 100;
  H2AbuseGuard guard(settings);
  for (int i = 0; i < 1000; ++i) {
    guard.record(H2Signal::stream_opened, clock.now());
    if (i % 3 == 0) {
      EXPECT_EQ(guard.record(H2Signal::stream_reset, clock.now()), std::nullopt);
    }
    clock.advance(10ms);
  }
  EXPECT_EQ(guard.tripped(), std::nullopt);
}

TEST_F(H2AbuseTest, EachControlFrameHasItsOwnLimit) {
  struct Case {
    H2Signal signal;
    std::uint32_t H2AbuseSettings::*limit;
    H2Abuse rule;
  };
  const Case cases[] = {
      {H2Signal::settings, &H2AbuseSettings::max_settings_per_window, H2Abuse::settings_flood},
      {H2Signal::ping, &H2AbuseSettings::max_pings_per_window, H2Abuse::ping_flood},
      {H2Signal::priority, &H2AbuseSettings::max_priority_per_window, H2Abuse::priority_flood},
      {H2Signal::empty_data, &H2AbuseSettings::max_empty_data_per_window, H2Abuse::empty_data_flood},
      {H2Signal::window_update, &H2AbuseSettings::max_window_updates_per_window, H2Abuse::window_update_flood},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(name(c.rule));
    H2AbuseSettings s;
    s.*c.limit = 5;
    H2AbuseGuard guard(s);
    EXPECT_EQ(repeat(guard, c.signal, 5), std::nullopt);
    clock.advance(999ms);  // still the same window
    EXPECT_EQ(repeat(guard, c.signal, 1), c.rule);
  }
}

TEST_F(H2AbuseTest, ControlFramesAtAKeepAlivePaceNeverTrip) {
  settings.max_pings_per_window = 2;
  H2AbuseGuard guard(settings);
  for (int i = 0; i < 1000; ++i) {
    EXPECT_EQ(repeat(guard, H2Signal::ping, 2), std::nullopt);
    clock.advance(1s);
  }
}

TEST_F(H2AbuseTest, WindowUpdatesEarnedByDataAreFree) {
  settings.max_window_updates_per_window = 5;
  H2AbuseGuard guard(settings);
  repeat(guard, H2Signal::data_sent, 100);  // earns 200
  EXPECT_EQ(repeat(guard, H2Signal::window_update, 200), std::nullopt);
  EXPECT_EQ(repeat(guard, H2Signal::window_update, 5), std::nullopt);  // then the plain limit
  EXPECT_EQ(repeat(guard, H2Signal::window_update, 1), H2Abuse::window_update_flood);
}

// grpc-core opens each call's window before any DATA: a client making many calls whose
// answers carry no body (trailers-only sheds) is not a flood.
TEST_F(H2AbuseTest, WindowUpdatesEarnedByOpeningStreamsAreFree) {
  settings.max_window_updates_per_window = 5;
  H2AbuseGuard guard(settings);
  repeat(guard, H2Signal::stream_opened, 300);  // earns 600
  EXPECT_EQ(repeat(guard, H2Signal::window_update, 600), std::nullopt);
  EXPECT_EQ(repeat(guard, H2Signal::window_update, 5), std::nullopt);  // then the plain limit
  EXPECT_EQ(repeat(guard, H2Signal::window_update, 1), H2Abuse::window_update_flood);
}

TEST_F(H2AbuseTest, EarnedCreditIsCappedSoItCannotBeBankedForAFlood) {
  settings.max_window_updates_per_window = 5;
  H2AbuseGuard guard(settings);
  repeat(guard, H2Signal::data_sent, 100'000);
  EXPECT_EQ(repeat(guard, H2Signal::window_update, 100'000), H2Abuse::window_update_flood);
}

TEST_F(H2AbuseTest, ContinuationsPerHeaderBlockAreCapped) {
  settings.max_continuations = 3;
  H2AbuseGuard guard(settings);
  guard.record(H2Signal::header_block_begin, clock.now(), 100);
  EXPECT_EQ(repeat(guard, H2Signal::continuation, 3, 100), std::nullopt);
  // A new block starts the count over.
  guard.record(H2Signal::header_block_begin, clock.now(), 100);
  EXPECT_EQ(repeat(guard, H2Signal::continuation, 3, 100), std::nullopt);
  EXPECT_EQ(repeat(guard, H2Signal::continuation, 1, 100), H2Abuse::continuation_flood);
}

TEST_F(H2AbuseTest, HeaderBlockBytesAreCappedAcrossItsFrames) {
  settings.max_header_block_bytes = 10'000;
  settings.max_continuations = 100;
  H2AbuseGuard guard(settings);
  EXPECT_EQ(guard.record(H2Signal::header_block_begin, clock.now(), 4000), std::nullopt);
  EXPECT_EQ(guard.record(H2Signal::continuation, clock.now(), 6000), std::nullopt);
  EXPECT_EQ(guard.record(H2Signal::continuation, clock.now(), 1), H2Abuse::header_block_too_large);
}

TEST_F(H2AbuseTest, OneHugeHeadersFrameIsCappedToo) {
  settings.max_header_block_bytes = 10'000;
  H2AbuseGuard guard(settings);
  EXPECT_EQ(guard.record(H2Signal::header_block_begin, clock.now(), 10'001), H2Abuse::header_block_too_large);
}

TEST_F(H2AbuseTest, TheFirstRuleBrokenIsTheOneReported) {
  settings.max_pings_per_window = 1;
  H2AbuseGuard guard(settings);
  repeat(guard, H2Signal::ping, 2);
  EXPECT_EQ(repeat(guard, H2Signal::settings, 1000), H2Abuse::ping_flood);
  EXPECT_EQ(guard.tripped(), H2Abuse::ping_flood);
}

TEST_F(H2AbuseTest, EveryRuleHasAName) {
  for (const H2Abuse abuse : all_h2_abuses) EXPECT_NE(name(abuse), "unknown");
}

}  // namespace
}  // namespace levee::policy
