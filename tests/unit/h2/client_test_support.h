#pragma once
// Test fixture for the HTTP/2 client connection: levee's own ClientConnection talking to
// levee's own ServerConnection in memory, bytes pumped both ways until both are quiet.

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "proxy/h2/client_connection.h"
#include "proxy/h2/server_connection.h"
#include "tests/fakes/manual_clock.h"

namespace levee::h2::testing {

template <typename T, typename Variant>
std::vector<T> all_of(const std::vector<Variant>& events) {
  std::vector<T> out;
  for (const Variant& e : events)
    if (const T* t = std::get_if<T>(&e)) out.push_back(*t);
  return out;
}

inline std::string value_of(const std::vector<Field>& fields, std::string_view name) {
  for (const Field& f : fields)
    if (f.name == name) return f.value;
  return "<none>";
}

inline RequestHead get_head(std::string path = "/") {
  return RequestHead{"GET", "http", "svc.test", std::move(path), {{"accept", "*/*"}}};
}

struct ClientServerTest : ::testing::Test {
  levee::testing::ManualClock clock;
  Http2Settings server_settings;
  Http2ClientSettings client_settings;
  std::unique_ptr<ServerConnection> server;
  std::unique_ptr<ClientConnection> client;
  std::vector<Event> server_events;
  std::vector<ClientEvent> client_events;
  std::string client_wrote;  // everything the client wrote, its preface first

  void start() {
    server = std::make_unique<ServerConnection>(server_settings, clock.now());
    client = std::make_unique<ClientConnection>(client_settings, clock.now());
  }
  void SetUp() override { start(); }

  // Client bytes to the server, the server's back, until neither has anything to say.
  void pump() {
    for (int round = 0; round < 1000; ++round) {
      const auto up = client->pending_output(clock.now());
      const std::size_t up_size = up.size();
      client_wrote.append(reinterpret_cast<const char*>(up.data()), up.size());
      server->feed(up, clock.now());
      client->consume_output(up_size);
      for (Event& e : server->take_events()) server_events.push_back(std::move(e));
      const auto down = server->pending_output(clock.now());
      const std::size_t down_size = down.size();
      client->feed(down, clock.now());
      server->consume_output(down_size);
      for (ClientEvent& e : client->take_events()) client_events.push_back(std::move(e));
      if (up_size == 0 && down_size == 0) return;
    }
    ADD_FAILURE() << "client and server kept talking for 1000 rounds";
  }

  // The body bytes the server received on `stream`, handed back as consumed when `consume`.
  std::string server_body(std::int32_t stream, bool consume) {
    std::string body;
    for (const RequestData& data : all_of<RequestData>(server_events)) {
      if (data.stream != stream) continue;
      body += data.bytes;
      if (consume) server->consume_request_body(stream, data.bytes.size());
    }
    std::erase_if(server_events, [&](const Event& e) {
      const auto* data = std::get_if<RequestData>(&e);
      return data != nullptr && data->stream == stream;
    });
    return body;
  }

  std::string client_body(std::int32_t stream, bool consume) {
    std::string body;
    for (const ResponseData& data : all_of<ResponseData>(client_events)) {
      if (data.stream != stream) continue;
      body += data.bytes;
      if (consume) client->consume_response_body(stream, data.bytes.size());
    }
    std::erase_if(client_events, [&](const ClientEvent& e) {
      const auto* data = std::get_if<ResponseData>(&e);
      return data != nullptr && data->stream == stream;
    });
    return body;
  }
};

}  // namespace levee::h2::testing
