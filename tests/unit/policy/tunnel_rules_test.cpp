#include "proxy/policy/tunnel_rules.h"

#include <gtest/gtest.h>

#include "tests/fakes/manual_clock.h"

namespace levee::policy {
namespace {

using std::chrono::hours;
using std::chrono::seconds;

const std::vector<std::string> websocket_only{"websocket"};

UpgradeAsk websocket_handshake() {
  return UpgradeAsk{.method = "GET", .version = 11, .has_body = false, .connection = "Upgrade", .upgrade = "websocket"};
}

TEST(AllowedUpgrade, AWebSocketHandshakeOnARouteThatAllowsIt) {
  EXPECT_EQ(allowed_upgrade(websocket_handshake(), websocket_only), "websocket");
}

TEST(AllowedUpgrade, NamesAreCaseInsensitiveAndConnectionIsAList) {
  UpgradeAsk ask = websocket_handshake();
  ask.connection = "keep-alive, UPGRADE";
  ask.upgrade = " WebSocket ";
  EXPECT_EQ(allowed_upgrade(ask, websocket_only), "WebSocket");
}

TEST(AllowedUpgrade, AVersionSuffixIsIgnored) {
  UpgradeAsk ask = websocket_handshake();
  ask.upgrade = "websocket/13";
  EXPECT_EQ(allowed_upgrade(ask, websocket_only), "websocket/13");
}

TEST(AllowedUpgrade, NotWithoutUpgradeInConnection) {
  UpgradeAsk ask = websocket_handshake();
  ask.connection = "keep-alive";
  EXPECT_FALSE(allowed_upgrade(ask, websocket_only));
  ask.connection = "upgrades";  // a token, not a substring
  EXPECT_FALSE(allowed_upgrade(ask, websocket_only));
}

TEST(AllowedUpgrade, NotWithoutAProtocol) {
  UpgradeAsk ask = websocket_handshake();
  ask.upgrade = " , ";
  EXPECT_FALSE(allowed_upgrade(ask, websocket_only));
}

TEST(AllowedUpgrade, EveryOfferedProtocolMustBeAllowed) {
  // The service may pick any protocol offered: h2c would become a tunnel levee cannot read.
  UpgradeAsk ask = websocket_handshake();
  ask.upgrade = "websocket, h2c";
  EXPECT_FALSE(allowed_upgrade(ask, websocket_only));
  EXPECT_EQ(allowed_upgrade(ask, {"websocket", "h2c"}), "websocket, h2c");
}

TEST(AllowedUpgrade, NotOnARouteThatAllowsNone) {
  EXPECT_FALSE(allowed_upgrade(websocket_handshake(), {}));
  EXPECT_FALSE(allowed_upgrade(websocket_handshake(), {"foo"}));
}

TEST(AllowedUpgrade, OnlyABodylessHttp11Get) {
  UpgradeAsk ask = websocket_handshake();
  ask.method = "POST";
  EXPECT_FALSE(allowed_upgrade(ask, websocket_only));
  ask = websocket_handshake();
  ask.version = 10;
  EXPECT_FALSE(allowed_upgrade(ask, websocket_only));
  ask = websocket_handshake();
  ask.has_body = true;
  EXPECT_FALSE(allowed_upgrade(ask, websocket_only));
}

TEST(TunnelCloseAt, IdleTimeoutAfterTheLastByte) {
  testing::ManualClock clock;
  const TimePoint last = clock.now();
  EXPECT_EQ(tunnel_close_at({last, hours(1), std::nullopt}), last + hours(1));
  // Activity moves it.
  const TimePoint later = clock.advance(seconds(30));
  EXPECT_EQ(tunnel_close_at({later, hours(1), std::nullopt}), later + hours(1));
}

TEST(TunnelCloseAt, ADrainClosesEarlierButNeverLater) {
  testing::ManualClock clock;
  const TimePoint now = clock.now();
  EXPECT_EQ(tunnel_close_at({now, hours(1), now + seconds(5)}), now + seconds(5));
  // An idle timeout shorter than the grace still applies.
  EXPECT_EQ(tunnel_close_at({now, seconds(2), now + seconds(5)}), now + seconds(2));
}

TEST(DrainCloseAt, TheGraceIsBoundedByTheDrainTimeout) {
  testing::ManualClock clock;
  const TimePoint now = clock.now();
  EXPECT_EQ(drain_close_at(now, seconds(5), seconds(15)), now + seconds(5));
  EXPECT_EQ(drain_close_at(now, seconds(30), seconds(15)), now + seconds(15));
  EXPECT_EQ(drain_close_at(now, seconds(0), seconds(15)), now);
}

}  // namespace
}  // namespace levee::policy
