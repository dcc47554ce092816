// The HTTP/2 client connection when things go wrong: resets and GOAWAY from the service,
// responses nghttp2 or levee refuses, and a service that does not speak HTTP/2.

#include <gtest/gtest.h>

#include <nghttp2/nghttp2.h>

#include "client_test_support.h"
#include "h2_test_support.h"
#include "proxy/h2/client_connection.h"

namespace levee::h2 {
namespace {

using testing::all_of;
using testing::ClientServerTest;
using testing::get_head;
using testing::value_of;

using ClientFailureTest = ClientServerTest;

TEST_F(ClientFailureTest, ARstStreamFromTheServerEndsThatStreamWithoutAResponseEnd) {
  const auto first = client->submit_request(get_head("/a"), true, clock.now());
  const auto second = client->submit_request(get_head("/b"), true, clock.now());
  pump();
  server->reset_stream(*first, error_code::internal_error);
  pump();
  const auto resets = all_of<StreamReset>(client_events);
  ASSERT_EQ(resets.size(), 1u);
  EXPECT_EQ(resets[0].stream, *first);
  EXPECT_EQ(resets[0].error_code, error_code::internal_error);
  const auto closed = all_of<StreamClosed>(client_events);
  ASSERT_EQ(closed.size(), 1u);
  EXPECT_EQ(closed[0].stream, *first);
  EXPECT_TRUE(all_of<ResponseEnd>(client_events).empty());
  // The other stream and the connection carry on.
  EXPECT_TRUE(client->is_usable());
  ASSERT_TRUE(server->submit_response(*second, 200, {}, true));
  pump();
  EXPECT_EQ(all_of<ResponseEnd>(client_events).size(), 1u);
}

TEST_F(ClientFailureTest, AResetFromLeveeReachesTheServer) {
  const auto id = client->submit_request(get_head(), true, clock.now());
  pump();
  client->reset_stream(*id, error_code::cancel);
  pump();
  const auto resets = all_of<StreamReset>(server_events);
  ASSERT_EQ(resets.size(), 1u);
  EXPECT_EQ(resets[0].error_code, error_code::cancel);
  EXPECT_EQ(client->open_streams(), 0u);
}

TEST_F(ClientFailureTest, AfterGoAwayNoNewStreamOpensButOpenOnesFinish) {
  const auto first = client->submit_request(get_head("/a"), true, clock.now());
  const auto second = client->submit_request(get_head("/b"), true, clock.now());
  pump();
  server->goaway(error_code::no_error);
  pump();
  const auto goaways = all_of<GoAwayReceived>(client_events);
  ASSERT_EQ(goaways.size(), 1u);
  EXPECT_EQ(goaways[0].last_stream, *second);
  EXPECT_FALSE(client->is_usable());
  EXPECT_FALSE(client->can_open_stream());
  EXPECT_EQ(client->submit_request(get_head("/c"), true, clock.now()), std::nullopt);
  EXPECT_FALSE(client->should_close());  // two responses still to come

  ASSERT_TRUE(server->submit_response(*first, 200, {}, false));
  ASSERT_TRUE(server->send_body(*first, "one", true));
  ASSERT_TRUE(server->submit_response(*second, 200, {}, true));
  pump();
  EXPECT_EQ(client_body(*first, true), "one");
  EXPECT_EQ(all_of<ResponseEnd>(client_events).size(), 2u);
  for (const StreamClosed& closed : all_of<StreamClosed>(client_events)) EXPECT_EQ(closed.error_code, 0u);
  EXPECT_EQ(client->open_streams(), 0u);
  EXPECT_TRUE(client->should_close());
  // A clean end: the client sends no GOAWAY of its own back.
  EXPECT_EQ(testing::goaway_code(std::string_view(client_wrote).substr(client_preface.size())), std::nullopt);
}

TEST_F(ClientFailureTest, ARequestNotYetSentWhenGoAwayArrivesClosesAsRefusedForARetry) {
  const auto sent = client->submit_request(get_head("/a"), true, clock.now());
  pump();
  server->goaway(error_code::no_error);
  const auto unsent = client->submit_request(get_head("/b"), true, clock.now());
  ASSERT_TRUE(unsent.has_value());
  // The GOAWAY reaches the client before the client writes the second request.
  const auto down = server->pending_output(clock.now());
  client->feed(down, clock.now());
  server->consume_output(down.size());
  pump();
  const auto closed = all_of<StreamClosed>(client_events);
  ASSERT_EQ(closed.size(), 1u);
  EXPECT_EQ(closed[0].stream, *unsent);
  EXPECT_EQ(closed[0].error_code, error_code::refused_stream);
  EXPECT_EQ(all_of<StreamOpened>(server_events).size(), 1u);  // the server saw only the first
  EXPECT_EQ(client->open_streams(), 1u);
  EXPECT_NE(sent, unsent);
}

// A hand-written server: its SETTINGS, then `frames` for the client's first stream.
struct RawServerTest : ClientServerTest {
  std::int32_t id = 0;
  void SetUp() override {
    ClientServerTest::SetUp();
    open();
  }
  void open() {
    id = *client->submit_request(get_head(), true, clock.now());
    const auto out = client->pending_output(clock.now());
    client->consume_output(out.size());
  }
  // Feeds the server's bytes, then writes the client's answer (a stream levee resets closes
  // once its RST_STREAM is out) and returns what it wrote.
  std::string answer(const std::string& bytes, bool settings_first = true) {
    client->feed((settings_first ? testing::frame(NGHTTP2_SETTINGS, 0, 0, "") : "") + bytes, clock.now());
    const auto out = client->pending_output(clock.now());
    std::string written(reinterpret_cast<const char*>(out.data()), out.size());
    client->consume_output(out.size());
    for (ClientEvent& e : client->take_events()) client_events.push_back(std::move(e));
    return written;
  }
  void expect_refused() {
    EXPECT_TRUE(all_of<ResponseHeaders>(client_events).empty());
    const auto closed = all_of<StreamClosed>(client_events);
    ASSERT_EQ(closed.size(), 1u);
    EXPECT_EQ(closed[0].stream, id);
    EXPECT_NE(closed[0].error_code, error_code::no_error);
    EXPECT_TRUE(client->is_usable());  // a stream error, not a connection error
  }
};

TEST_F(RawServerTest, AResponseWithAConnectionSpecificFieldIsRefused) {
  answer(testing::headers_frame(id, {{":status", "200"}, {"connection", "close"}}, true));
  expect_refused();
}

TEST_F(RawServerTest, AResponseWithoutStatusIsRefused) {
  answer(testing::headers_frame(id, {{"content-type", "text/plain"}}, true));
  expect_refused();
}

TEST_F(RawServerTest, AStatusOutsideHttpsClassesIsRefused) {
  answer(testing::headers_frame(id, {{":status", "700"}}, true));
  expect_refused();
}

TEST_F(RawServerTest, AResponseHeaderListOverTheLimitIsRefused) {
  client_settings.max_header_list_size = 1024;  // a list larger than one frame would need CONTINUATION
  start();
  open();
  const std::string big(client_settings.max_header_list_size, 'x');
  answer(testing::headers_frame(id, {{":status", "200"}, {"x-big", big}}, true));
  expect_refused();
}

TEST_F(RawServerTest, AnInterimResponseIsDroppedAndTheFinalOnePassedOn) {
  answer(testing::headers_frame(id, {{":status", "103"}, {"link", "</a.css>"}}, false) +
         testing::headers_frame(id, {{":status", "200"}, {"x-final", "yes"}}, true));
  const auto headers = all_of<ResponseHeaders>(client_events);
  ASSERT_EQ(headers.size(), 1u);
  EXPECT_EQ(headers[0].status, 200u);
  EXPECT_EQ(value_of(headers[0].fields, "x-final"), "yes");
  EXPECT_EQ(value_of(headers[0].fields, "link"), "<none>");
  EXPECT_TRUE(headers[0].end_stream);
  EXPECT_EQ(all_of<ResponseEnd>(client_events).size(), 1u);
}

TEST_F(RawServerTest, AServiceThatDoesNotSpeakHttp2FailsTheConnectionAndEveryStream) {
  const std::string written = answer("HTTP/1.1 400 Bad Request\r\n\r\n", false);
  const auto closed = all_of<StreamClosed>(client_events);
  ASSERT_EQ(closed.size(), 1u);
  EXPECT_EQ(closed[0].error_code, error_code::protocol_error);
  EXPECT_FALSE(client->is_usable());
  EXPECT_EQ(client->open_streams(), 0u);
  EXPECT_EQ(testing::goaway_code(written), error_code::protocol_error);
  EXPECT_TRUE(client->should_close());
}

}  // namespace
}  // namespace levee::h2
