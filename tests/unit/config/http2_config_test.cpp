// `listener.http2`: read, defaulted, validated (each mistake at its file position).

#include <gtest/gtest.h>

#include "config_test_support.h"

namespace levee::config {
namespace {

using namespace std::chrono_literals;
using testing::load_ok;
using testing::load_one_error;
using testing::contains;

TEST(Http2Config, OffByDefaultWithTheConnectionDefaults) {
  const Config c = load_ok("");
  EXPECT_FALSE(c.listener.http2.enabled);
  EXPECT_FALSE(c.listener.http2.h2c);
  EXPECT_EQ(c.listener.http2.settings, h2::Http2Settings{});
  EXPECT_EQ(c.listener.http2.settings.max_concurrent_streams, 100u);
}

TEST(Http2Config, ReadsEveryKey) {
  const Config c = load_ok(R"(
listener:
  http2:
    enabled: true
    h2c: true
    max_concurrent_streams: 250
    initial_window_size: 256KiB
    connection_window_size: 4MiB
    max_header_list_size: 32KiB
    abuse:
      window: 2s
      max_resets_per_window: 50
      max_reset_ratio: 0.25
      reset_ratio_min_streams: 400
      max_settings_per_window: 10
      max_pings_per_window: 5
      max_priority_per_window: 100
      max_empty_data_per_window: 40
      max_window_updates_per_window: 300
      max_continuations: 4
      max_header_block_bytes: 48KiB
)");
  const Http2Config& h = c.listener.http2;
  EXPECT_TRUE(h.enabled);
  EXPECT_TRUE(h.h2c);
  EXPECT_EQ(h.settings.max_concurrent_streams, 250u);
  EXPECT_EQ(h.settings.initial_window_size, 256u * 1024u);
  EXPECT_EQ(h.settings.connection_window_size, 4u * 1024u * 1024u);
  EXPECT_EQ(h.settings.max_header_list_size, 32u * 1024u);
  const policy::H2AbuseSettings& a = h.settings.abuse;
  EXPECT_EQ(a.window, 2s);
  EXPECT_EQ(a.max_resets_per_window, 50u);
  EXPECT_DOUBLE_EQ(a.max_reset_ratio, 0.25);
  EXPECT_EQ(a.reset_ratio_min_streams, 400u);
  EXPECT_EQ(a.max_settings_per_window, 10u);
  EXPECT_EQ(a.max_pings_per_window, 5u);
  EXPECT_EQ(a.max_priority_per_window, 100u);
  EXPECT_EQ(a.max_empty_data_per_window, 40u);
  EXPECT_EQ(a.max_window_updates_per_window, 300u);
  EXPECT_EQ(a.max_continuations, 4u);
  EXPECT_EQ(a.max_header_block_bytes, 48u * 1024u);
}

TEST(Http2Config, H2cNeedsHttp2Enabled) {
  const ConfigError e = load_one_error("listener:\n  http2:\n    h2c: true\n");
  EXPECT_EQ(e.key_path, "listener.http2.h2c");
  EXPECT_EQ(e.line, 3);
  EXPECT_TRUE(contains(e.message, "enabled: true")) << e.message;
}

TEST(Http2Config, AWindowBeyondTheProtocolMaximumIsRefused) {
  const ConfigError e = load_one_error("listener:\n  http2:\n    initial_window_size: 4GiB\n");
  EXPECT_EQ(e.key_path, "listener.http2.initial_window_size");
}

TEST(Http2Config, TheConnectionWindowHoldsAtLeastOneStreamWindow) {
  const ConfigError e = load_one_error(
      "listener:\n  http2:\n    initial_window_size: 1MiB\n    connection_window_size: 512KiB\n");
  EXPECT_EQ(e.key_path, "listener.http2.connection_window_size");
  EXPECT_EQ(e.line, 4);
}

TEST(Http2Config, TheHeaderBlockCapHoldsAnAllowedHeaderList) {
  const ConfigError e = load_one_error(
      "listener:\n  http2:\n    max_header_list_size: 128KiB\n");
  EXPECT_EQ(e.key_path, "listener.http2.abuse.max_header_block_bytes");
  EXPECT_TRUE(contains(e.message, "max_header_list_size")) << e.message;
}

TEST(Http2Config, ARatioOutsideItsRangeIsRefused) {
  const ConfigError e = load_one_error("listener:\n  http2:\n    abuse:\n      max_reset_ratio: 2\n");
  EXPECT_EQ(e.key_path, "listener.http2.abuse.max_reset_ratio");
  EXPECT_EQ(e.line, 4);
}

TEST(Http2Config, AMisspeltKeyIsAnErrorWithASuggestion) {
  const ConfigError e = load_one_error("listener:\n  http2:\n    abuse:\n      max_ping_per_window: 5\n");
  EXPECT_EQ(e.key_path, "listener.http2.abuse.max_ping_per_window");
  EXPECT_TRUE(contains(e.message, "max_pings_per_window")) << e.message;
}

}  // namespace
}  // namespace levee::config
