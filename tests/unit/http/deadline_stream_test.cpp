// DeadlineStream on a loopback connection: the deadlines are short (tens of milliseconds) and
// every run of the context is bounded, so a stream that never times out fails the test rather
// than hanging it.
#include "proxy/http/deadline_stream.h"
#include "tests/unit/http/deadline_stream_pair.h"

#include <boost/asio/buffer.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/error.hpp>
#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <memory>
#include <optional>
#include <string_view>

namespace levee::http {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using namespace std::chrono_literals;

using Loopback = test_support::DeadlineStreamPair;

struct ReadResult {
  bool done = false;
  boost::system::error_code ec;
  std::size_t bytes = 0;
};

void start_read(DeadlineStream& stream, std::array<char, 16>& buffer, ReadResult& result) {
  stream.async_read_some(asio::buffer(buffer), [&result](boost::system::error_code ec, std::size_t n) {
    result = {true, ec, n};
  });
}

// Runs the context until the read completes or `limit` passes.
void run_until_done(asio::io_context& context, const ReadResult& result, std::chrono::milliseconds limit) {
  const auto give_up = std::chrono::steady_clock::now() + limit;
  while (!result.done && std::chrono::steady_clock::now() < give_up) context.run_one_for(10ms);
}

TEST(DeadlineStream, AReadPastItsDeadlineTimesOutAndTheSocketIsClosed) {
  Loopback link;
  std::array<char, 16> buffer{};
  ReadResult read;
  const auto started = std::chrono::steady_clock::now();
  link.stream->expires_after(50ms);
  start_read(*link.stream, buffer, read);
  run_until_done(link.context, read, 5000ms);
  ASSERT_TRUE(read.done);
  EXPECT_EQ(read.ec, boost::beast::error::timeout);
  EXPECT_GE(std::chrono::steady_clock::now() - started, 50ms);
  EXPECT_FALSE(link.stream->socket().is_open());
}

TEST(DeadlineStream, AReadThatCompletesInTimeIsNotCutAndNothingFiresLater) {
  Loopback link;
  std::array<char, 16> buffer{};
  ReadResult read;
  link.stream->expires_after(60ms);
  link.peer_sends("x");
  start_read(*link.stream, buffer, read);
  run_until_done(link.context, read, 5000ms);
  ASSERT_TRUE(read.done);
  EXPECT_FALSE(read.ec);
  EXPECT_EQ(read.bytes, 1u);
  // The timer still fires at 60 ms, finds nothing pending and rests.
  link.context.run_for(150ms);
  EXPECT_TRUE(link.stream->socket().is_open());
}

TEST(DeadlineStream, AnEarlierDeadlineThanTheArmedOneStillFiresOnTime) {
  Loopback link;
  std::array<char, 16> buffer{};
  ReadResult first;
  link.stream->expires_after(30s);  // the timer is armed for 30 s from now
  link.peer_sends("x");
  start_read(*link.stream, buffer, first);
  run_until_done(link.context, first, 5000ms);
  ASSERT_TRUE(first.done);
  ASSERT_FALSE(first.ec);

  ReadResult second;
  link.stream->expires_after(50ms);
  start_read(*link.stream, buffer, second);
  run_until_done(link.context, second, 5000ms);
  ASSERT_TRUE(second.done) << "the 50 ms deadline waited for the 30 s one";
  EXPECT_EQ(second.ec, boost::beast::error::timeout);
}

TEST(DeadlineStream, ADeadlineMovedLaterIsTheOneTheNextOperationKeeps) {
  Loopback link;
  std::array<char, 16> buffer{};
  ReadResult first;
  link.stream->expires_after(80ms);  // the timer is armed for 80 ms
  link.peer_sends("x");
  start_read(*link.stream, buffer, first);
  run_until_done(link.context, first, 5000ms);
  ASSERT_TRUE(first.done);

  ReadResult second;
  link.stream->expires_after(10s);
  start_read(*link.stream, buffer, second);
  link.context.run_for(300ms);  // past the first deadline: the timer fires and re-arms
  EXPECT_FALSE(second.done) << "the read was cut at the earlier operation's deadline";
  link.peer_sends("y");
  run_until_done(link.context, second, 5000ms);
  ASSERT_TRUE(second.done);
  EXPECT_FALSE(second.ec);
  EXPECT_EQ(second.bytes, 1u);
}

TEST(DeadlineStream, NoDeadlineMeansNoTimeout) {
  Loopback link;
  std::array<char, 16> buffer{};
  ReadResult read;
  link.stream->expires_after(20ms);
  link.stream->expires_never();
  start_read(*link.stream, buffer, read);
  link.context.run_for(200ms);
  EXPECT_FALSE(read.done);
  link.stream->cancel();
  run_until_done(link.context, read, 5000ms);
  ASSERT_TRUE(read.done);
  EXPECT_EQ(read.ec, asio::error::operation_aborted);
  EXPECT_TRUE(link.stream->socket().is_open());
}

TEST(DeadlineStream, AReleasedSocketStaysConnectedAfterTheStreamIsGone) {
  Loopback link;
  link.stream->expires_after(20ms);
  tcp::socket socket = link.stream->release_socket();
  link.stream.reset();
  link.context.run_for(100ms);
  ASSERT_TRUE(socket.is_open());
  link.peer_sends("z");
  std::array<char, 1> byte{};
  EXPECT_EQ(asio::read(socket, asio::buffer(byte)), 1u);
  EXPECT_EQ(byte[0], 'z');
}

TEST(DeadlineStream, AStreamDestroyedWithAReadPendingCompletesItAborted) {
  Loopback link;
  std::array<char, 16> buffer{};
  ReadResult read;
  link.stream->expires_after(10s);
  start_read(*link.stream, buffer, read);
  link.context.poll();
  link.stream.reset();  // closes the socket; the operation still completes, without the stream
  run_until_done(link.context, read, 5000ms);
  ASSERT_TRUE(read.done);
  EXPECT_EQ(read.ec, asio::error::operation_aborted);
}

}  // namespace
}  // namespace levee::http
