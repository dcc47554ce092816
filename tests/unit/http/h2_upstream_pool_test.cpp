// The HTTP/2 upstream pool and its connections on real loopback sockets, against a fake
// service made of levee's own h2::ServerConnection: streams share a connection, the response
// and its trailers reach the exchange's waiter, a GOAWAY retires a connection, a lost one
// ends its streams, a refused connect is connect_refused. Everything runs on one io_context,
// bounded by run_for; no timing is asserted.
#include <gtest/gtest.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <string>
#include <variant>
#include <vector>

#include "proxy/h2/server_connection.h"
#include "proxy/http/h2_upstream_pool.h"

namespace levee::http {
namespace {
namespace asio = boost::asio;
using levee::http::Awaitable;
using asio::ip::tcp;
using namespace std::chrono_literals;
constexpr auto use_tuple = asio::as_tuple(asio::deferred);

// A service on 127.0.0.1 that answers every stream 200, "hello", then grpc-status: 0 in the
// trailers; or, as told, sends GOAWAY with its first answer (only), or drops the connection
// when a request arrives.
class FakeService {
 public:
  enum class Mode { answer, goaway_after_first, drop_on_request };

  FakeService(asio::io_context& io, Mode mode) : acceptor_(io, tcp::endpoint(asio::ip::address_v4::loopback(), 0)), mode_(mode) {
    asio::co_spawn(io, accept_loop(), asio::detached);
  }
  tcp::endpoint endpoint() const { return acceptor_.local_endpoint(); }
  int connections() const { return connections_; }
  void stop() { acceptor_.close(); }

 private:
  asio::awaitable<void> accept_loop() {
    for (;;) {
      auto [ec, socket] = co_await acceptor_.async_accept(use_tuple);
      if (ec) co_return;
      ++connections_;
      asio::co_spawn(acceptor_.get_executor(), serve(std::move(socket)), asio::detached);
    }
  }

  asio::awaitable<void> serve(tcp::socket socket) {
    h2::ServerConnection connection(h2::Http2Settings{}, clock_.now());
    std::string buffer(16 * 1024, '\0');
    for (;;) {
      const auto output = connection.pending_output(clock_.now());
      if (!output.empty()) {
        const std::string bytes(reinterpret_cast<const char*>(output.data()), output.size());
        connection.consume_output(output.size());
        auto [ec, n] = co_await asio::async_write(socket, asio::buffer(bytes), use_tuple);
        if (ec) co_return;
        continue;
      }
      if (connection.should_close()) co_return;
      auto [ec, n] = co_await socket.async_read_some(asio::buffer(buffer), use_tuple);
      if (ec) co_return;
      connection.feed(std::string_view(buffer.data(), n), clock_.now());
      for (const h2::Event& event : connection.take_events()) {
        std::int32_t complete = 0;
        if (const auto* opened = std::get_if<h2::StreamOpened>(&event); opened && opened->end_stream)
          complete = opened->stream;
        if (const auto* end = std::get_if<h2::RequestEnd>(&event)) complete = end->stream;
        if (complete == 0) continue;
        if (mode_ == Mode::drop_on_request) co_return;  // the socket closes with the frame
        connection.submit_response(complete, 200, {{"content-type", "application/grpc"}}, false);
        connection.send_body(complete, "hello", false);
        connection.submit_trailers(complete, {{"grpc-status", "0"}});
        if (mode_ == Mode::goaway_after_first && !answered_) connection.goaway(h2::error_code::no_error);
        answered_ = true;
      }
    }
  }

  policy::SteadyClock clock_;
  tcp::acceptor acceptor_;
  Mode mode_;
  int connections_ = 0;
  bool answered_ = false;  // by any connection: only the service's first answer brings a GOAWAY
};

h2::RequestHead call_head() {
  return h2::RequestHead{"POST", "http", "svc.test", "/levee.Test/Echo", {{"content-type", "application/grpc"}}};
}

// Every event of the stream, up to its StreamClosed (at most 5 s).
Awaitable<std::vector<h2::ClientEvent>> collect(H2OpenedStream& opened) {
  std::vector<h2::ClientEvent> events;
  H2UpstreamStream& waiter = *opened.waiter;
  for (int waits = 0; waits < 100; ++waits) {
    while (!waiter.events.empty()) {
      events.push_back(std::move(waiter.events.front()));
      waiter.events.pop_front();
    }
    if (waiter.closed) break;
    waiter.signal.expires_after(50ms);
    co_await waiter.signal.async_wait(use_tuple);
  }
  opened.connection->forget(opened.stream);
  co_return events;
}

template <typename T>
std::size_t count(const std::vector<h2::ClientEvent>& events) {
  std::size_t n = 0;
  for (const auto& event : events) n += std::holds_alternative<T>(event) ? 1 : 0;
  return n;
}

// A complete answer: 200, "hello", trailers with grpc-status 0, the end.
void expect_answered(const std::vector<h2::ClientEvent>& events) {
  ASSERT_GE(events.size(), 4u);
  const auto* headers = std::get_if<h2::ResponseHeaders>(&events[0]);
  ASSERT_NE(headers, nullptr);
  EXPECT_EQ(headers->status, 200u);
  const auto* data = std::get_if<h2::ResponseData>(&events[1]);
  ASSERT_NE(data, nullptr);
  EXPECT_EQ(data->bytes, "hello");
  const auto* trailers = std::get_if<h2::ResponseTrailers>(&events[2]);
  ASSERT_NE(trailers, nullptr);
  ASSERT_EQ(trailers->fields.size(), 1u);
  EXPECT_EQ(trailers->fields[0].name, "grpc-status");
  EXPECT_EQ(trailers->fields[0].value, "0");
  EXPECT_EQ(count<h2::ResponseEnd>(events), 1u);
}

struct H2UpstreamPoolTest : ::testing::Test {
  asio::io_context io;
  policy::SteadyClock clock;
  UpstreamShared shared;

  config::UpstreamConfig upstream_config() {
    config::UpstreamConfig config;
    config.name = "grpc";
    config.protocol = config::UpstreamProtocol::h2c;
    return config;
  }

  // Runs `test` on the io_context to its end (at most 10 s).
  void run(std::function<Awaitable<void>()> test) {
    bool done = false;
    asio::co_spawn(io, [&]() -> Awaitable<void> {
      co_await test();
      done = true;
    }, asio::detached);
    for (int i = 0; i < 100 && !done; ++i) io.run_for(100ms);
    EXPECT_TRUE(done) << "the test coroutine did not finish";
  }
};

TEST_F(H2UpstreamPoolTest, CallsShareOneConnectionAndGetTheirTrailers) {
  FakeService service(io, FakeService::Mode::answer);
  H2UpstreamPool pool(io, upstream_config(), {service.endpoint()}, shared);
  run([&]() -> Awaitable<void> {
    H2OpenedStream first = co_await pool.open_stream(call_head(), "\0\0\0\0\0", clock);
    H2OpenedStream second = co_await pool.open_stream(call_head(), {}, clock);
    EXPECT_EQ(first.error, ExchangeError::none);
    EXPECT_EQ(second.error, ExchangeError::none);
    EXPECT_EQ(first.connection, second.connection);
    if (!first.connection || !second.connection) co_return;
    expect_answered(co_await collect(first));
    expect_answered(co_await collect(second));
  });
  EXPECT_EQ(service.connections(), 1);
  EXPECT_EQ(pool.connections(), 1u);
  EXPECT_EQ(shared.connects.load(), 1u);
}

TEST_F(H2UpstreamPoolTest, AConnectionTheServiceRetiresIsReplaced) {
  FakeService service(io, FakeService::Mode::goaway_after_first);
  H2UpstreamPool pool(io, upstream_config(), {service.endpoint()}, shared);
  run([&]() -> Awaitable<void> {
    H2OpenedStream first = co_await pool.open_stream(call_head(), {}, clock);
    if (!first.connection) co_return;
    expect_answered(co_await collect(first));
    // The GOAWAY came with the first answer: the next call goes on a new connection.
    H2OpenedStream second = co_await pool.open_stream(call_head(), {}, clock);
    EXPECT_EQ(second.error, ExchangeError::none);
    if (!second.connection) co_return;
    EXPECT_NE(first.connection, second.connection);
    expect_answered(co_await collect(second));
  });
  EXPECT_EQ(service.connections(), 2);
  EXPECT_EQ(pool.connections(), 1u);  // the retired one left once its stream ended
}

TEST_F(H2UpstreamPoolTest, AConnectionLostMidCallEndsItsStreamWithoutAnAnswer) {
  FakeService service(io, FakeService::Mode::drop_on_request);
  H2UpstreamPool pool(io, upstream_config(), {service.endpoint()}, shared);
  run([&]() -> Awaitable<void> {
    H2OpenedStream call = co_await pool.open_stream(call_head(), {}, clock);
    if (!call.connection) co_return;
    const auto events = co_await collect(call);
    EXPECT_EQ(count<h2::StreamClosed>(events), 1u);
    EXPECT_EQ(count<h2::ResponseHeaders>(events), 0u);
    EXPECT_EQ(count<h2::ResponseEnd>(events), 0u);
  });
  EXPECT_EQ(pool.connections(), 0u);  // the lost connection is gone from the pool
}

TEST_F(H2UpstreamPoolTest, ARefusedConnectFailsTheCallAsConnectRefused) {
  FakeService service(io, FakeService::Mode::answer);
  const tcp::endpoint nobody = service.endpoint();
  service.stop();  // nothing listens there any more
  H2UpstreamPool pool(io, upstream_config(), {nobody}, shared);
  run([&]() -> Awaitable<void> {
    H2OpenedStream call = co_await pool.open_stream(call_head(), {}, clock);
    EXPECT_EQ(call.error, ExchangeError::connect_refused);
    EXPECT_EQ(call.connection, nullptr);
  });
  EXPECT_EQ(pool.connections(), 0u);
  EXPECT_EQ(shared.open.load(), 0u);
}

}  // namespace
}  // namespace levee::http
