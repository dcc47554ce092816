// The HTTP/2 server connection with a well-behaved nghttp2 client: requests in as events,
// responses out (whole, streamed, with trailers), flow control, resets and drain.

#include "proxy/h2/server_connection.h"

#include <gtest/gtest.h>

#include "h2_test_support.h"

namespace levee::h2 {
namespace {

using namespace std::chrono_literals;
using testing::ClientStream;
using testing::events_of;
using testing::get;
using testing::post;
using testing::shuttle;
using testing::TestClient;

struct ConnectionTest : ::testing::Test {
  levee::testing::ManualClock clock;
  Http2Settings settings;
  std::unique_ptr<ServerConnection> server;
  TestClient client;
  std::vector<Event> events;

  void start() { server = std::make_unique<ServerConnection>(settings, clock.now()); }
  void SetUp() override { start(); }
  void run() { shuttle(client, *server, clock, events); }
  std::string field(const std::vector<Field>& fields, std::string_view name) {
    for (const Field& f : fields)
      if (f.name == name) return f.value;
    return "<none>";
  }
};

TEST_F(ConnectionTest, AGetArrivesAsOneStreamWithItsHeaderBlockAndEnd) {
  std::vector<Field> request = get("/items?page=2");
  request.push_back({"accept", "application/json"});
  const std::int32_t id = client.request(request);
  run();
  const auto opened = events_of<StreamOpened>(events);
  ASSERT_EQ(opened.size(), 1u);
  EXPECT_EQ(opened[0].stream, id);
  EXPECT_EQ(opened[0].fields, request);
  EXPECT_TRUE(opened[0].end_stream);
  ASSERT_EQ(events_of<RequestEnd>(events).size(), 1u);
  EXPECT_EQ(server->open_streams(), 1u);
}

TEST_F(ConnectionTest, AWholeResponseReachesTheClientAndClosesTheStream) {
  const std::int32_t id = client.request(get());
  run();
  ASSERT_TRUE(server->submit_response(id, 200, {{"Content-Type", "text/plain"}}, false));
  ASSERT_TRUE(server->send_body(id, "hello", true));
  run();
  const ClientStream& s = client.stream(id);
  EXPECT_EQ(field(s.headers, ":status"), "200");
  EXPECT_EQ(field(s.headers, "content-type"), "text/plain");  // lower-cased on the way out
  EXPECT_EQ(s.body, "hello");
  EXPECT_TRUE(s.closed);
  EXPECT_EQ(s.close_code, error_code::no_error);
  const auto closed = events_of<StreamClosed>(events);
  ASSERT_EQ(closed.size(), 1u);
  EXPECT_EQ(closed[0].stream, id);
  EXPECT_EQ(server->open_streams(), 0u);
}

TEST_F(ConnectionTest, ConnectionSpecificResponseHeadersFromAnHttp11ServiceAreDropped) {
  const std::int32_t id = client.request(get());
  run();
  ASSERT_TRUE(server->submit_response(id, 200,
                                      {{"Connection", "keep-alive"}, {"Keep-Alive", "timeout=5"},
                                       {"Transfer-Encoding", "chunked"}, {"Upgrade", "h2c"}, {"X-Kept", "yes"}},
                                      true));
  run();
  const ClientStream& s = client.stream(id);
  EXPECT_EQ(s.reset_code, std::nullopt);  // a client would reset a response carrying them
  EXPECT_EQ(field(s.headers, "connection"), "<none>");
  EXPECT_EQ(field(s.headers, "transfer-encoding"), "<none>");
  EXPECT_EQ(field(s.headers, "x-kept"), "yes");
  EXPECT_TRUE(s.closed);
}

TEST_F(ConnectionTest, AResponseBodyIsPushedAsItArrivesFromTheService) {
  const std::int32_t id = client.request(get());
  run();
  ASSERT_TRUE(server->submit_response(id, 200, {}, false));
  run();
  EXPECT_EQ(field(client.stream(id).headers, ":status"), "200");
  EXPECT_FALSE(client.stream(id).closed);  // the provider waits for bytes, the stream stays open
  ASSERT_TRUE(server->send_body(id, "first ", false));
  run();
  EXPECT_EQ(client.stream(id).body, "first ");
  EXPECT_FALSE(client.stream(id).closed);
  ASSERT_TRUE(server->send_body(id, "last", true));
  run();
  EXPECT_EQ(client.stream(id).body, "first last");
  EXPECT_TRUE(client.stream(id).closed);
  EXPECT_FALSE(server->send_body(id, "late", false));  // the stream is gone
}

TEST_F(ConnectionTest, ABodyLargerThanTheClientsWindowWaitsForItsWindowUpdates) {
  const nghttp2_settings_entry small_window{NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, 16 * 1024};
  nghttp2_submit_settings(client.session(), NGHTTP2_FLAG_NONE, &small_window, 1);
  const std::int32_t id = client.request(get());
  run();
  ASSERT_TRUE(server->submit_response(id, 200, {}, false));
  const std::string body(200 * 1024, 'w');
  ASSERT_TRUE(server->send_body(id, body, true));
  // One write without the client's window updates: no more than its 16 KiB window goes out.
  const auto first = server->pending_output(clock.now());
  EXPECT_LE(first.size(), 17u * 1024u);
  EXPECT_GE(server->queued_response_bytes(id), body.size() - 16 * 1024);
  // With them (nghttp2's client acknowledges as it reads), the whole body arrives.
  run();
  EXPECT_EQ(client.stream(id).body, body);
  EXPECT_TRUE(client.stream(id).closed);
}

TEST_F(ConnectionTest, AnswersOutOfOrderAreRefused) {
  const std::int32_t id = client.request(get());
  run();
  EXPECT_FALSE(server->send_body(id, "body before header", false));
  EXPECT_FALSE(server->submit_trailers(id, {{"grpc-status", "0"}}));
  EXPECT_FALSE(server->submit_response(id + 2, 200, {}, true));  // no such stream
  ASSERT_TRUE(server->submit_response(id, 200, {}, false));
  EXPECT_FALSE(server->submit_response(id, 200, {}, false));  // one header per response
  ASSERT_TRUE(server->send_body(id, "done", true));
  EXPECT_FALSE(server->send_body(id, "more", false));  // the body has ended
  run();
  EXPECT_EQ(client.stream(id).body, "done");
}

TEST_F(ConnectionTest, TrailersEndTheResponseAfterItsBody) {
  const std::int32_t id = client.request(post("/pkg.Service/Call"), std::string("\0\0\0\0\0", 5));
  run();
  ASSERT_TRUE(server->submit_response(id, 200, {{"content-type", "application/grpc"}}, false));
  ASSERT_TRUE(server->send_body(id, std::string("\0\0\0\0\0", 5), false));
  ASSERT_TRUE(server->submit_trailers(id, {{"grpc-status", "0"}, {"Grpc-Message", "ok"}}));
  run();
  const ClientStream& s = client.stream(id);
  EXPECT_EQ(s.body.size(), 5u);
  EXPECT_EQ(s.trailers, (std::vector<Field>{{"grpc-status", "0"}, {"grpc-message", "ok"}}));
  EXPECT_TRUE(s.closed);
  EXPECT_EQ(s.close_code, error_code::no_error);
}

TEST_F(ConnectionTest, ARequestBodyArrivesOnlyAsFastAsTheCallerPassesItOn) {
  settings.initial_window_size = 16 * 1024;
  start();
  const std::string body(100 * 1024, 'x');
  const std::int32_t id = client.request(post(), body);
  run();
  std::size_t received = 0;
  for (const RequestData& d : events_of<RequestData>(events)) received += d.bytes.size();
  // Without consume_request_body the client may send one stream window and no more. (Before
  // it sees levee's SETTINGS it may use the protocol's default 65535.)
  EXPECT_GT(received, 0u);
  EXPECT_LE(received, 65535u);
  EXPECT_LE(server->held_bytes(), 65535u + 1024u);
  // Passing on what arrived lets the rest come, window by window.
  for (int round = 0; round < 100 && received < body.size(); ++round) {
    server->consume_request_body(id, received);
    events.clear();
    run();
    std::size_t more = 0;
    for (const RequestData& d : events_of<RequestData>(events)) more += d.bytes.size();
    received += more;
    if (more == 0) break;
    server->consume_request_body(id, 0);
  }
  EXPECT_EQ(received, body.size());
}

TEST_F(ConnectionTest, AClientCancelIsAResetEventThenAClose) {
  const std::int32_t id = client.request(get());
  run();
  client.reset(id, error_code::cancel);
  run();
  const auto resets = events_of<StreamReset>(events);
  ASSERT_EQ(resets.size(), 1u);
  EXPECT_EQ(resets[0].stream, id);
  EXPECT_EQ(resets[0].error_code, error_code::cancel);
  ASSERT_EQ(events_of<StreamClosed>(events).size(), 1u);
  EXPECT_FALSE(server->submit_response(id, 200, {}, true));  // nobody to answer
  EXPECT_EQ(server->open_streams(), 0u);
}

TEST_F(ConnectionTest, LeveeResetsAStreamWhenTheServiceFailsMidResponse) {
  const std::int32_t id = client.request(get());
  run();
  ASSERT_TRUE(server->submit_response(id, 200, {}, false));
  ASSERT_TRUE(server->send_body(id, "part", false));
  server->reset_stream(id, error_code::internal_error);
  run();
  EXPECT_EQ(client.stream(id).reset_code, error_code::internal_error);
  EXPECT_EQ(server->abuse(), std::nullopt);  // levee's own reset is no mark against the client
}

TEST_F(ConnectionTest, GracefulDrainAnswersOpenStreamsThenCloses) {
  const std::int32_t id = client.request(get());
  run();
  server->announce_shutdown();
  run();
  EXPECT_TRUE(client.goaway_code.has_value());
  server->goaway(error_code::no_error);
  run();
  EXPECT_EQ(client.goaway_code, error_code::no_error);
  EXPECT_EQ(client.goaway_last_stream, id);
  EXPECT_FALSE(server->should_close());  // stream `id` is still owed its answer
  ASSERT_TRUE(server->submit_response(id, 204, {}, true));
  run();
  EXPECT_TRUE(client.stream(id).closed);
  EXPECT_TRUE(server->should_close());
}

TEST_F(ConnectionTest, AClientGoawayIsAnEvent) {
  nghttp2_submit_goaway(client.session(), NGHTTP2_FLAG_NONE, 0, error_code::no_error, nullptr, 0);
  run();
  const auto goaways = events_of<GoAwayReceived>(events);
  ASSERT_EQ(goaways.size(), 1u);
  EXPECT_EQ(goaways[0].error_code, error_code::no_error);
}

TEST_F(ConnectionTest, OutputHeldForASlowReaderIsBounded) {
  const std::int32_t id = client.request(get());
  run();
  ASSERT_TRUE(server->submit_response(id, 200, {}, false));
  ASSERT_TRUE(server->send_body(id, std::string(1024 * 1024, 'y'), true));
  // The client reads nothing: levee pulls at most ~64 KiB of frames from nghttp2 at a time
  // (flow control keeps the rest queued for the stream, and the caller sees how much).
  const auto out = server->pending_output(clock.now());
  EXPECT_LE(out.size(), 80u * 1024u);
  EXPECT_GT(server->queued_response_bytes(id), 900u * 1024u);
}

}  // namespace
}  // namespace levee::h2
