// `tunnels:` and `routes[].upgrades`: WebSocket on by default, bounds, errors, round trip.

#include <gtest/gtest.h>

#include "config_test_support.h"

namespace levee::config {
namespace {

using namespace std::chrono_literals;
using testing::load_ok;
using testing::load_one_error;

constexpr std::string_view route = "routes:\n  - name: app\n    path_prefix: /\n";

TEST(TunnelsConfig, WebSocketIsAllowedByDefaultWithNoCap) {
  const Config c = load_ok("");
  ASSERT_FALSE(c.routes.empty());
  EXPECT_EQ(c.routes[0].upgrades, std::vector<std::string>{"websocket"});
  EXPECT_EQ(c.tunnels.max, 0u);
  EXPECT_EQ(c.tunnels.idle_timeout, 1h);
  EXPECT_EQ(c.tunnels.drain_grace, 5s);
}

TEST(TunnelsConfig, ReadsEveryKey) {
  const Config c = load_ok(std::string(route) + "    upgrades: [websocket, foo]\n" +
                           "tunnels:\n  max: 10\n  idle_timeout: 5m\n  drain_grace: 0s\n");
  EXPECT_EQ(c.routes[0].upgrades, (std::vector<std::string>{"websocket", "foo"}));
  EXPECT_EQ(c.tunnels.max, 10u);
  EXPECT_EQ(c.tunnels.idle_timeout, 5min);
  EXPECT_EQ(c.tunnels.drain_grace, 0s);
}

TEST(TunnelsConfig, AnEmptyListTurnsUpgradesOff) {
  const Config c = load_ok(std::string(route) + "    upgrades: []\n");
  EXPECT_TRUE(c.routes[0].upgrades.empty());
}

TEST(TunnelsConfig, NamesABadProtocolAndABadKey) {
  ConfigError e = load_one_error(std::string(route) + "    upgrades: [\"web socket\"]\n");
  EXPECT_EQ(e.key_path, "routes[0].upgrades[0]");
  EXPECT_NE(e.message.find("upgrade protocol"), std::string::npos) << e.message;
  e = load_one_error("tunnels:\n  idle_timout: 5m\n");
  EXPECT_NE(e.message.find("idle_timeout"), std::string::npos) << e.message;
  e = load_one_error("tunnels:\n  idle_timeout: 0s\n");
  EXPECT_EQ(e.key_path, "tunnels.idle_timeout");
}

TEST(TunnelsConfig, SurvivesARoundTrip) {
  const Config c = load_ok(std::string(route) + "    upgrades: []\n" + "tunnels: {max: 3, idle_timeout: 90s}\n");
  const Config again = load_ok(to_yaml(c));
  EXPECT_EQ(again.routes[0].upgrades, c.routes[0].upgrades);
  EXPECT_EQ(again.tunnels, c.tunnels);
}

}  // namespace
}  // namespace levee::config
