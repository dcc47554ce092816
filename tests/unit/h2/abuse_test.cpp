// HTTP/2 attacks fed to the connection as byte streams: each ends in GOAWAY
// ENHANCE_YOUR_CALM naming the rule, with what the connection holds staying small.

#include <gtest/gtest.h>

#include "h2_test_support.h"
#include "proxy/h2/server_connection.h"

namespace levee::h2 {
namespace {

using namespace std::chrono_literals;
using policy::H2Abuse;
using testing::events_of;
using testing::frame;
using testing::goaway_code;
using testing::header_block;
using testing::headers_frame;
using testing::preface;
using testing::rst_frame;
using testing::window_update_frame;

std::vector<Field> request() {
  return {{":method", "GET"}, {":scheme", "https"}, {":authority", "example.test"}, {":path", "/"}};
}

std::string ping_frame() { return frame(NGHTTP2_PING, 0, 0, std::string(8, 'p')); }

struct Attack : ::testing::Test {
  levee::testing::ManualClock clock;
  Http2Settings settings;
  std::unique_ptr<ServerConnection> server;
  std::string output;

  void SetUp() override { restart(); }
  void restart() {
    server = std::make_unique<ServerConnection>(settings, clock.now());
    server->feed(preface(), clock.now());
  }
  // Feeds bytes, and reads (and writes away) the server's answer, like a client that reads.
  void send(const std::string& bytes) {
    server->feed(bytes, clock.now());
    server->take_events();
    output += testing::drain_output(*server, clock);
  }
  void expect_calm(H2Abuse rule) {
    EXPECT_EQ(server->abuse(), rule);
    EXPECT_EQ(goaway_code(output), error_code::enhance_your_calm);
    EXPECT_EQ(server->goaway_sent(), error_code::enhance_your_calm);
    EXPECT_TRUE(server->should_close());
  }
};

TEST_F(Attack, RapidResetIsStoppedPastTheResetsPerWindow) {
  std::string attack;
  for (std::int32_t i = 0; i < 1000; ++i) attack += headers_frame(2 * i + 1, request(), false) + rst_frame(2 * i + 1, 8);
  send(attack);
  expect_calm(H2Abuse::rapid_reset);
  EXPECT_EQ(server->open_streams(), 0u);
  EXPECT_LT(server->held_bytes(), 1024u);
}

TEST_F(Attack, CancellingAtAnHonestPaceIsFine) {
  // A user scrolling past images: for 10 seconds, 80 requests a second, one in four cancelled
  // before its answer, the others answered.
  std::int32_t id = 1;
  for (int second = 0; second < 10; ++second) {
    for (int i = 0; i < 80; ++i, id += 2) {
      if (i % 4 == 0) {
        send(headers_frame(id, request(), false) + rst_frame(id, 8));
        continue;
      }
      send(headers_frame(id, request(), true));
      ASSERT_TRUE(server->submit_response(id, 204, {}, true));
      send("");
    }
    clock.advance(1s);
  }
  EXPECT_EQ(server->abuse(), std::nullopt);
  EXPECT_EQ(goaway_code(output), std::nullopt);
  EXPECT_EQ(server->open_streams(), 0u);
}

TEST_F(Attack, SlowRapidResetMeetsTheLifetimeRatio) {
  // Under the rate (50 per second), but every stream cancelled.
  std::int32_t id = 1;
  for (int second = 0; second < 20 && !server->abuse(); ++second) {
    std::string burst;
    for (int i = 0; i < 50; ++i, id += 2) burst += headers_frame(id, request(), false) + rst_frame(id, 8);
    send(burst);
    clock.advance(1s);
  }
  expect_calm(H2Abuse::reset_ratio);
}

TEST_F(Attack, MadeYouResetCountsResetsLeveeWasProvokedInto) {
  // Malformed requests make the server reset each stream: as costly as the client resetting.
  std::vector<Field> bad = request();
  bad.push_back({"connection", "close"});
  std::string attack;
  for (std::int32_t i = 0; i < 500; ++i) attack += headers_frame(2 * i + 1, bad, true);
  send(attack);
  expect_calm(H2Abuse::rapid_reset);
}

TEST_F(Attack, StreamsPastTheConcurrencyLimitAreRefused) {
  // Before the client has acknowledged levee's SETTINGS, a stream past the limit is refused
  // (REFUSED_STREAM: safe to retry); the streams held never pass the limit.
  std::string opens;
  for (std::int32_t i = 0; i < 110; ++i) opens += headers_frame(2 * i + 1, request(), false);
  send(opens);
  EXPECT_EQ(server->open_streams(), settings.max_concurrent_streams);
  int refused = 0;
  for (const auto& f : testing::parse_frames(output))
    refused += f.type == NGHTTP2_RST_STREAM && f.payload == std::string("\0\0\0\x07", 4) ? 1 : 0;
  EXPECT_EQ(refused, 10);
  EXPECT_EQ(server->abuse(), std::nullopt);
}

TEST_F(Attack, StreamsPastAnAcknowledgedConcurrencyLimitEndTheConnection) {
  send(frame(NGHTTP2_SETTINGS, NGHTTP2_FLAG_ACK, 0, ""));  // the client knows the limit
  std::string opens;
  for (std::int32_t i = 0; i < 150; ++i) opens += headers_frame(2 * i + 1, request(), false);
  send(opens);
  // nghttp2 takes this as a connection error (RFC 9113 5.1.2 allows either).
  EXPECT_EQ(goaway_code(output), error_code::protocol_error);
  EXPECT_LE(server->open_streams(), settings.max_concurrent_streams);
}

TEST_F(Attack, ContinuationFloodIsStoppedAtTheFrameCount) {
  // One header block split into 100-byte frames: the 9th CONTINUATION breaks the rule.
  std::vector<Field> big = request();
  for (int i = 0; i < 50; ++i) big.push_back({"x-filler-" + std::to_string(i), std::string(40, 'f')});
  const std::string block = header_block(big);
  std::string attack = frame(NGHTTP2_HEADERS, 0, 1, block.substr(0, 100));
  for (std::size_t at = 100; at < block.size(); at += 100)
    attack += frame(NGHTTP2_CONTINUATION, 0, 1, block.substr(at, 100));
  send(attack);
  expect_calm(H2Abuse::continuation_flood);
  EXPECT_EQ(server->open_streams(), 0u);
}

TEST_F(Attack, AHeaderBlockOverTheByteCapIsStoppedBeforeItEnds) {
  settings.abuse.max_header_block_bytes = 8 * 1024;
  restart();
  std::vector<Field> big = request();
  big.push_back({"cookie", std::string(20000, 'c')});
  const std::string block = header_block(big);
  std::string attack = frame(NGHTTP2_HEADERS, 0, 1, block.substr(0, 4000));
  for (std::size_t at = 4000; at < block.size(); at += 4000)
    attack += frame(NGHTTP2_CONTINUATION, 0, 1, block.substr(at, 4000));
  send(attack);
  expect_calm(H2Abuse::header_block_too_large);
}

TEST_F(Attack, AnHpackBombIsAnswered431WithoutHoldingItsFields) {
  // One 4 KiB field put in the dynamic table, then referenced 2000 times at one byte each:
  // 8 MB of header list from a 6 KiB block. levee counts it, keeps none of it, answers 431.
  std::string block = header_block(request());
  block += '\x40';  // literal with incremental indexing, new name
  block += std::string(1, '\x06') + "x-bomb";
  block += std::string("\x7f\x81\x1e", 3) + std::string(4000, 'b');  // length 127 + 3841 = 3968
  block.resize(block.size() - 32);  // make the value exactly 3968 bytes
  block += std::string(2000, '\xbe');  // indexed: the first dynamic table entry (62)
  send(frame(NGHTTP2_HEADERS, NGHTTP2_FLAG_END_HEADERS | NGHTTP2_FLAG_END_STREAM, 1, block));
  EXPECT_EQ(server->abuse(), std::nullopt);
  EXPECT_NE(output.find("request header fields too large"), std::string::npos);
  EXPECT_LT(server->held_bytes(), 1024u);
}

TEST_F(Attack, NotAnHttp2ClientIsToldSoAndClosed) {
  server = std::make_unique<ServerConnection>(settings, clock.now());
  send("GET / HTTP/1.1\r\nHost: example.test\r\n\r\n");
  EXPECT_EQ(goaway_code(output), error_code::protocol_error);
  EXPECT_TRUE(server->should_close());
}

TEST_F(Attack, SettingsFlood) {
  std::string attack;
  for (int i = 0; i < 1000; ++i) attack += frame(NGHTTP2_SETTINGS, 0, 0, "");
  send(attack);
  expect_calm(H2Abuse::settings_flood);
}

TEST_F(Attack, PingFlood) {
  std::string attack;
  for (int i = 0; i < 1000; ++i) attack += ping_frame();
  send(attack);
  expect_calm(H2Abuse::ping_flood);
  // Input after the GOAWAY is dropped unread: no ACK for it is owed or held.
  const std::size_t held = server->held_bytes();
  send(ping_frame() + ping_frame());
  EXPECT_EQ(server->held_bytes(), held);
}

TEST_F(Attack, PingsAtAKeepAlivePaceAreFine) {
  for (int i = 0; i < 100; ++i) {
    send(ping_frame());
    clock.advance(1s);
  }
  EXPECT_EQ(server->abuse(), std::nullopt);
}

TEST_F(Attack, PriorityFlood) {
  std::string attack;
  for (int i = 0; i < 1000; ++i) attack += frame(NGHTTP2_PRIORITY, 0, 2 * i + 1, std::string("\0\0\0\0\x0f", 5));
  send(attack);
  expect_calm(H2Abuse::priority_flood);
}

TEST_F(Attack, EmptyDataFlood) {
  std::vector<Field> upload = request();
  upload[0].value = "POST";
  std::string attack = headers_frame(1, upload, false);
  for (int i = 0; i < 1000; ++i) attack += frame(NGHTTP2_DATA, 0, 1, "");
  send(attack);
  expect_calm(H2Abuse::empty_data_flood);
}

TEST_F(Attack, WindowUpdateFlood) {
  std::string attack;
  for (int i = 0; i < 1000; ++i) attack += window_update_frame(0, 1);
  send(attack);
  expect_calm(H2Abuse::window_update_flood);
}

TEST_F(Attack, AZeroWindowIncrementIsAProtocolError) {
  send(window_update_frame(0, 0));
  EXPECT_EQ(goaway_code(output), error_code::protocol_error);
  EXPECT_TRUE(server->should_close());
}

TEST_F(Attack, WindowUpdatesThatFollowADownloadAreEarned) {
  send(headers_frame(1, request(), true));
  ASSERT_TRUE(server->submit_response(1, 200, {}, false));
  // A client that acknowledges every DATA frame on the stream and the connection: 2 per frame.
  for (int i = 0; i < 400; ++i) {
    ASSERT_TRUE(server->send_body(1, std::string(1024, 'd'), false));
    send("");
    send(window_update_frame(1, 1024) + window_update_frame(0, 1024));
  }
  EXPECT_EQ(server->abuse(), std::nullopt);
}

TEST_F(Attack, AnUnreadResponseCannotGrowOutputBeyondItsBound) {
  // Many streams each answered with a large body to a client that never reads: output held
  // stays at the high-water mark; the rest waits in flow control (the caller sees it queued).
  std::string opens;
  for (std::int32_t i = 0; i < 10; ++i) opens += headers_frame(2 * i + 1, request(), true);
  server->feed(opens, clock.now());
  server->take_events();
  for (std::int32_t i = 0; i < 10; ++i) {
    ASSERT_TRUE(server->submit_response(2 * i + 1, 200, {}, false));
    ASSERT_TRUE(server->send_body(2 * i + 1, std::string(64 * 1024, 'z'), true));
  }
  const auto out = server->pending_output(clock.now());
  EXPECT_LE(out.size(), 96u * 1024u);
}

}  // namespace
}  // namespace levee::h2
