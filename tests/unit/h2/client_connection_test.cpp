// The HTTP/2 client connection against levee's own server connection, in memory: requests
// out, responses in (whole, streamed, with trailers), flow control both ways, stream slots.

#include "proxy/h2/client_connection.h"

#include <gtest/gtest.h>

#include "client_test_support.h"

namespace levee::h2 {
namespace {

using testing::all_of;
using testing::ClientServerTest;
using testing::get_head;
using testing::value_of;

using ClientConnectionTest = ClientServerTest;

TEST_F(ClientConnectionTest, AGetReachesTheServerAndItsResponseComesBackAsEvents) {
  const auto id = client->submit_request(get_head("/items?page=2"), true, clock.now());
  ASSERT_TRUE(id.has_value());
  pump();
  const auto opened = all_of<StreamOpened>(server_events);
  ASSERT_EQ(opened.size(), 1u);
  EXPECT_EQ(opened[0].stream, *id);
  EXPECT_EQ(value_of(opened[0].fields, ":method"), "GET");
  EXPECT_EQ(value_of(opened[0].fields, ":scheme"), "http");
  EXPECT_EQ(value_of(opened[0].fields, ":authority"), "svc.test");
  EXPECT_EQ(value_of(opened[0].fields, ":path"), "/items?page=2");
  EXPECT_EQ(value_of(opened[0].fields, "accept"), "*/*");
  EXPECT_TRUE(opened[0].end_stream);

  ASSERT_TRUE(server->submit_response(*id, 200, {{"content-type", "text/plain"}}, false));
  ASSERT_TRUE(server->send_body(*id, "hello", true));
  pump();
  const auto headers = all_of<ResponseHeaders>(client_events);
  ASSERT_EQ(headers.size(), 1u);
  EXPECT_EQ(headers[0].status, 200u);
  EXPECT_FALSE(headers[0].end_stream);
  EXPECT_EQ(value_of(headers[0].fields, "content-type"), "text/plain");
  EXPECT_EQ(value_of(headers[0].fields, ":status"), "<none>");  // the status is out of the fields
  EXPECT_EQ(client_body(*id, true), "hello");
  EXPECT_EQ(all_of<ResponseEnd>(client_events).size(), 1u);
  const auto closed = all_of<StreamClosed>(client_events);
  ASSERT_EQ(closed.size(), 1u);
  EXPECT_EQ(closed[0].error_code, error_code::no_error);
  EXPECT_EQ(client->open_streams(), 0u);
  EXPECT_TRUE(client->is_usable());
}

TEST_F(ClientConnectionTest, RequestHeadersFromAnHttp11ClientAreMadeFitForHttp2) {
  RequestHead head = get_head();
  head.headers = {{"Host", "svc.test"},       {"Connection", "keep-alive"}, {"Keep-Alive", "timeout=5"},
                  {"Transfer-Encoding", "chunked"}, {"TE", "trailers"},     {"X-Request-Id", "abc"}};
  const auto id = client->submit_request(head, true, clock.now());
  ASSERT_TRUE(id.has_value());
  pump();
  const auto opened = all_of<StreamOpened>(server_events);
  ASSERT_EQ(opened.size(), 1u);  // nghttp2 on the server would reset a request carrying them
  EXPECT_EQ(value_of(opened[0].fields, "host"), "<none>");
  EXPECT_EQ(value_of(opened[0].fields, "connection"), "<none>");
  EXPECT_EQ(value_of(opened[0].fields, "transfer-encoding"), "<none>");
  EXPECT_EQ(value_of(opened[0].fields, "te"), "trailers");  // gRPC services insist on it
  EXPECT_EQ(value_of(opened[0].fields, "x-request-id"), "abc");
}

TEST_F(ClientConnectionTest, ARequestBodyLargerThanTheWindowFlowsAsTheServerConsumesIt) {
  const auto id = client->submit_request(RequestHead{"POST", "http", "svc.test", "/upload", {}}, false, clock.now());
  ASSERT_TRUE(id.has_value());
  const std::string body(200 * 1024, 'b');
  ASSERT_TRUE(client->send_body(*id, body, true));
  EXPECT_EQ(client->queued_request_bytes(*id), body.size());  // what the caller's high-water mark sees
  pump();
  std::string received = server_body(*id, false);
  EXPECT_LE(received.size(), server_settings.initial_window_size);  // the server has passed nothing on
  EXPECT_GT(received.size(), 0u);
  EXPECT_EQ(client->queued_request_bytes(*id), body.size() - received.size());
  pump();
  EXPECT_TRUE(server_body(*id, false).empty());  // held at the window until the server consumes
  server->consume_request_body(*id, received.size());
  for (int round = 0; round < 100 && received.size() < body.size(); ++round) {
    pump();
    received += server_body(*id, true);
  }
  EXPECT_EQ(received, body);
  EXPECT_EQ(all_of<RequestEnd>(server_events).size(), 1u);
  EXPECT_EQ(client->queued_request_bytes(*id), 0u);
}

TEST_F(ClientConnectionTest, AResponseBodyLargerThanTheWindowArrivesAsTheCallerConsumesIt) {
  const auto id = client->submit_request(get_head("/big"), true, clock.now());
  pump();
  const std::string body(300 * 1024, 'r');
  ASSERT_TRUE(server->submit_response(*id, 200, {}, false));
  ASSERT_TRUE(server->send_body(*id, body, true));
  pump();
  std::string received = client_body(*id, false);
  EXPECT_LE(received.size(), client_settings.initial_window_size);
  EXPECT_GT(received.size(), 0u);
  pump();
  EXPECT_TRUE(client_body(*id, false).empty());  // held at the window until the caller consumes
  client->consume_response_body(*id, received.size());
  for (int round = 0; round < 100 && received.size() < body.size(); ++round) {
    pump();
    received += client_body(*id, true);
  }
  EXPECT_EQ(received, body);
  EXPECT_EQ(all_of<ResponseEnd>(client_events).size(), 1u);
}

TEST_F(ClientConnectionTest, ResponseBytesHeldAreBoundedByTheConnectionWindowWhateverTheStreams) {
  client_settings.connection_window_size = 256 * 1024;
  start();
  std::vector<std::int32_t> ids;
  for (int i = 0; i < 10; ++i) ids.push_back(*client->submit_request(get_head("/big"), true, clock.now()));
  pump();
  for (const std::int32_t id : ids) {
    ASSERT_TRUE(server->submit_response(id, 200, {}, false));
    ASSERT_TRUE(server->send_body(id, std::string(200 * 1024, 'r'), true));
  }
  pump();
  std::size_t held = 0;
  for (const ResponseData& data : all_of<ResponseData>(client_events)) held += data.bytes.size();
  EXPECT_LE(held, client_settings.connection_window_size);  // 10 streams x 64 KiB would be 640 KiB
  EXPECT_GT(held, client_settings.initial_window_size);
}

TEST_F(ClientConnectionTest, CloseEndsEveryStreamAndTheConnection) {
  const auto id = client->submit_request(get_head(), true, clock.now());
  pump();
  client->close(error_code::no_error);
  const auto closed = all_of<StreamClosed>(client->take_events());
  ASSERT_EQ(closed.size(), 1u);
  EXPECT_EQ(closed[0].stream, *id);
  EXPECT_FALSE(client->is_usable());
  EXPECT_EQ(client->submit_request(get_head(), true, clock.now()), std::nullopt);
  EXPECT_FALSE(client->send_body(*id, "x", true));
  pump();
  EXPECT_EQ(all_of<GoAwayReceived>(server_events).size(), 1u);
  EXPECT_TRUE(client->should_close());
}

TEST_F(ClientConnectionTest, GrpcTrailersArriveAsResponseTrailersBeforeTheEnd) {
  RequestHead head{"POST", "http", "svc.test", "/pkg.Service/Method",
                   {{"content-type", "application/grpc"}, {"te", "trailers"}}};
  const auto id = client->submit_request(head, false, clock.now());
  ASSERT_TRUE(client->send_body(*id, std::string("\0\0\0\0\x02hi", 7), false));
  ASSERT_TRUE(client->submit_trailers(*id, {{"x-client-trailer", "yes"}}));
  pump();
  const auto ends = all_of<RequestEnd>(server_events);
  ASSERT_EQ(ends.size(), 1u);
  EXPECT_EQ(value_of(ends[0].trailers, "x-client-trailer"), "yes");

  ASSERT_TRUE(server->submit_response(*id, 200, {{"content-type", "application/grpc"}}, false));
  ASSERT_TRUE(server->send_body(*id, std::string("\0\0\0\0\x02ok", 7), false));
  ASSERT_TRUE(server->submit_trailers(*id, {{"grpc-status", "8"}, {"grpc-message", "busy"}}));
  pump();
  EXPECT_EQ(client_body(*id, true).size(), 7u);
  const auto trailers = all_of<ResponseTrailers>(client_events);
  ASSERT_EQ(trailers.size(), 1u);
  EXPECT_EQ(value_of(trailers[0].fields, "grpc-status"), "8");
  EXPECT_EQ(value_of(trailers[0].fields, "grpc-message"), "busy");
  // Order: headers, trailers, end, close.
  std::vector<std::size_t> order;
  for (const ClientEvent& e : client_events) order.push_back(e.index());
  const std::vector<std::size_t> expected{0, 2, 3, 5};
  EXPECT_EQ(order, expected);
}

TEST_F(ClientConnectionTest, StreamsOpenUpToTheServersLimitAndTheNextIsRefusedUntilOneCloses) {
  server_settings.max_concurrent_streams = 5;
  start();
  pump();  // the server's SETTINGS arrive
  EXPECT_EQ(client->available_streams(), 5u);
  std::vector<std::int32_t> ids;
  for (int i = 0; i < 5; ++i) {
    const auto id = client->submit_request(get_head("/item"), true, clock.now());
    ASSERT_TRUE(id.has_value()) << i;
    ids.push_back(*id);
  }
  EXPECT_FALSE(client->can_open_stream());
  EXPECT_EQ(client->submit_request(get_head("/6"), true, clock.now()), std::nullopt);
  pump();
  EXPECT_EQ(all_of<StreamOpened>(server_events).size(), 5u);
  EXPECT_EQ(client->open_streams(), 5u);
  ASSERT_TRUE(server->submit_response(ids[2], 204, {}, true));
  pump();
  EXPECT_EQ(client->open_streams(), 4u);
  EXPECT_EQ(client->available_streams(), 1u);
  EXPECT_TRUE(client->submit_request(get_head("/6"), true, clock.now()).has_value());
  EXPECT_FALSE(client->can_open_stream());
}

TEST_F(ClientConnectionTest, LeveesOwnCapHoldsWhenTheServerAllowsMore) {
  client_settings.max_concurrent_streams = 2;
  start();
  pump();
  EXPECT_TRUE(client->submit_request(get_head(), true, clock.now()).has_value());
  EXPECT_TRUE(client->submit_request(get_head(), true, clock.now()).has_value());
  EXPECT_EQ(client->submit_request(get_head(), true, clock.now()), std::nullopt);
}

}  // namespace
}  // namespace levee::h2
