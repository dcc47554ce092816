// RFC 9113 request checks: what nghttp2 refuses on its own (pinned here, so an nghttp2 upgrade
// that stops checking is noticed) and what levee adds (header list size, :authority vs Host).
// Requests are hand-built frames: a client library would refuse to send most of them.

#include <gtest/gtest.h>

#include <map>

#include "h2_test_support.h"
#include "proxy/h2/server_connection.h"

namespace levee::h2 {
namespace {

using testing::events_of;
using testing::frame;
using testing::headers_frame;
using testing::parse_frames;
using testing::preface;

struct RequestChecks : ::testing::Test {
  levee::testing::ManualClock clock;
  Http2Settings settings;
  ServerConnection server{settings, clock.now()};
  std::vector<Event> events;
  std::string output;

  void send(const std::string& frames) {
    server.feed(preface() + frames, clock.now());
    events = server.take_events();
    output = testing::drain_output(server, clock);
  }
  // The RST_STREAM code levee sent on stream 1, if any.
  std::optional<std::uint32_t> reset_code() {
    for (const auto& f : parse_frames(output)) {
      if (f.type == NGHTTP2_RST_STREAM && f.stream == 1 && f.payload.size() == 4)
        return static_cast<std::uint32_t>(static_cast<std::uint8_t>(f.payload[3]));
    }
    return std::nullopt;
  }
};

std::vector<Field> base() {
  return {{":method", "GET"}, {":scheme", "https"}, {":authority", "example.test"}, {":path", "/"}};
}

std::vector<Field> with(std::vector<Field> fields, const Field& extra) {
  fields.push_back(extra);
  return fields;
}

std::vector<Field> without(std::vector<Field> fields, std::string_view name) {
  std::erase_if(fields, [&](const Field& f) { return f.name == name; });
  return fields;
}

TEST_F(RequestChecks, AValidRequestPasses) {
  send(headers_frame(1, with(base(), {"te", "trailers"}), true));
  EXPECT_EQ(events_of<StreamOpened>(events).size(), 1u);
  EXPECT_EQ(reset_code(), std::nullopt);
}

// Each is malformed (RFC 9113 8.1.1, 8.2, 8.3): a stream error, and never a request event.
struct Malformed {
  const char* what;
  std::vector<Field> fields;
};

TEST_F(RequestChecks, NghttpRefusesMalformedHeaderBlocks) {
  const std::vector<Malformed> cases{
      {"no :method", without(base(), ":method")},
      {"no :path", without(base(), ":path")},
      {"no :scheme", without(base(), ":scheme")},
      {"empty :path", with(without(base(), ":path"), {":path", ""})},
      {"unknown pseudo-header", with(base(), {":tenant", "a"})},
      {"duplicate :path", with(base(), {":path", "/again"})},
      {"pseudo-header after a regular field", {{":method", "GET"}, {"accept", "*/*"}, {":scheme", "https"},
                                               {":authority", "example.test"}, {":path", "/"}}},
      {"connection-specific field", with(base(), {"connection", "close"})},
      {"keep-alive", with(base(), {"keep-alive", "timeout=5"})},
      {"transfer-encoding", with(base(), {"transfer-encoding", "chunked"})},
      {"upgrade", with(base(), {"upgrade", "websocket"})},
      {"te other than trailers", with(base(), {"te", "gzip"})},
      {"upper-case field name", with(base(), {"Accept", "*/*"})},
      {"CR LF in a value", with(base(), {"x-smuggle", "a\r\nhost: evil"})},
      {"content-length on a request without body", with(base(), {"content-length", "5"})},
      {"no authority at all", without(base(), ":authority")},
  };
  for (const Malformed& c : cases) {
    SCOPED_TRACE(c.what);
    ServerConnection fresh(settings, clock.now());
    fresh.feed(preface() + headers_frame(1, c.fields, true), clock.now());
    EXPECT_TRUE(events_of<StreamOpened>(fresh.take_events()).empty());
    const std::string out = testing::drain_output(fresh, clock);
    bool refused = false;
    for (const auto& f : parse_frames(out)) {
      refused = refused || (f.type == NGHTTP2_RST_STREAM && f.stream == 1) || f.type == NGHTTP2_GOAWAY;
    }
    EXPECT_TRUE(refused);
  }
}

TEST_F(RequestChecks, ABodyLongerThanItsContentLengthResetsTheStream) {
  ServerConnection fresh(settings, clock.now());
  std::vector<Field> fields = with(without(base(), ":method"), {"content-length", "2"});
  fields.insert(fields.begin(), {":method", "POST"});
  fresh.feed(preface() + headers_frame(1, fields, false) + frame(NGHTTP2_DATA, NGHTTP2_FLAG_END_STREAM, 1, "hello"),
             clock.now());
  const auto got = fresh.take_events();
  EXPECT_EQ(events_of<StreamOpened>(got).size(), 1u);
  EXPECT_TRUE(events_of<RequestEnd>(got).empty());  // the request never completed
  const std::string out = testing::drain_output(fresh, clock);
  bool reset = false;
  for (const auto& f : parse_frames(out)) reset = reset || (f.type == NGHTTP2_RST_STREAM && f.stream == 1);
  EXPECT_TRUE(reset);
}

TEST_F(RequestChecks, HostThatNamesAnotherAuthorityIsMalformed) {
  send(headers_frame(1, with(base(), {"host", "other.test"}), true));
  EXPECT_TRUE(events_of<StreamOpened>(events).empty());
  EXPECT_EQ(reset_code(), error_code::protocol_error);
}

TEST_F(RequestChecks, HostThatAgreesWithAuthorityIsFine) {
  send(headers_frame(1, with(base(), {"host", "Example.Test"}), true));
  EXPECT_EQ(events_of<StreamOpened>(events).size(), 1u);
}

TEST_F(RequestChecks, HostAloneNamesTheAuthority) {
  send(headers_frame(1, with(without(base(), ":authority"), {"host", "example.test"}), true));
  EXPECT_EQ(events_of<StreamOpened>(events).size(), 1u);
}

TEST_F(RequestChecks, AHeaderListOverTheLimitIsAnswered431) {
  settings.max_header_list_size = 4096;
  ServerConnection small(settings, clock.now());
  small.feed(preface() + headers_frame(1, with(base(), {"cookie", std::string(5000, 'c')}), true), clock.now());
  EXPECT_TRUE(events_of<StreamOpened>(small.take_events()).empty());
  const std::string out = testing::drain_output(small, clock);
  bool answered = false;
  for (const auto& f : parse_frames(out)) answered = answered || (f.type == NGHTTP2_HEADERS && f.stream == 1);
  EXPECT_TRUE(answered);
  EXPECT_NE(out.find("request header fields too large"), std::string::npos);
  EXPECT_EQ(small.held_bytes(), 0u);  // the oversized fields were not kept
}

TEST_F(RequestChecks, RequestTrailersEndTheRequest) {
  std::vector<Field> fields = without(base(), ":method");
  fields.insert(fields.begin(), {":method", "POST"});
  send(headers_frame(1, fields, false) + frame(NGHTTP2_DATA, 0, 1, "abc") +
       headers_frame(1, {{"x-checksum", "900150983cd24fb0"}}, true));
  const auto data = events_of<RequestData>(events);
  ASSERT_EQ(data.size(), 1u);
  EXPECT_EQ(data[0].bytes, "abc");
  const auto ends = events_of<RequestEnd>(events);
  ASSERT_EQ(ends.size(), 1u);
  EXPECT_EQ(ends[0].trailers, (std::vector<Field>{{"x-checksum", "900150983cd24fb0"}}));
}

TEST_F(RequestChecks, TrailersWithAPseudoHeaderAreRefused) {
  std::vector<Field> fields = without(base(), ":method");
  fields.insert(fields.begin(), {":method", "POST"});
  send(headers_frame(1, fields, false) + headers_frame(1, {{":path", "/late"}}, true));
  EXPECT_TRUE(events_of<RequestEnd>(events).empty());
  EXPECT_TRUE(reset_code().has_value());
}

TEST_F(RequestChecks, ASettingsFrameAdvertisesTheLimits) {
  settings.max_concurrent_streams = 7;
  settings.initial_window_size = 12345;
  settings.max_header_list_size = 2048;
  ServerConnection configured(settings, clock.now());
  const std::string out = testing::drain_output(configured, clock);
  const auto frames = parse_frames(out);
  ASSERT_FALSE(frames.empty());
  ASSERT_EQ(frames[0].type, NGHTTP2_SETTINGS);
  std::map<int, std::uint32_t> values;
  const std::string& p = frames[0].payload;
  for (std::size_t i = 0; i + 6 <= p.size(); i += 6) {
    const auto b = [&](std::size_t k) { return static_cast<std::uint32_t>(static_cast<std::uint8_t>(p[i + k])); };
    values[static_cast<int>((b(0) << 8) | b(1))] = (b(2) << 24) | (b(3) << 16) | (b(4) << 8) | b(5);
  }
  EXPECT_EQ(values[NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS], 7u);
  EXPECT_EQ(values[NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE], 12345u);
  EXPECT_EQ(values[NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE], 2048u);
  // And the connection window is opened to connection_window_size.
  bool window_opened = false;
  for (const auto& f : frames) window_opened = window_opened || (f.type == NGHTTP2_WINDOW_UPDATE && f.stream == 0);
  EXPECT_TRUE(window_opened);
}

}  // namespace
}  // namespace levee::h2
