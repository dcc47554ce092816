// write_all (sized_relay.h) over a loopback DeadlineStream: a message the socket takes whole and
// one far larger than its buffers (written as the reader drains) both reach the peer complete
// and in order. Every run of the context is bounded.
#include "proxy/http/deadline_stream.h"
#include "proxy/http/sized_relay.h"
#include "tests/unit/http/deadline_stream_pair.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace levee::http {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

using WritePair = test_support::DeadlineStreamPair;

// Starts write_all(buffers) on the context; `result` is set when it ends.
template <class Buffers>
void start_write_all(WritePair& link, const Buffers& buffers, std::optional<boost::beast::error_code>& result) {
  asio::co_spawn(
      link.context,
      // The buffer sequence by value: the coroutine starts after this function has returned.
      [&link, &result, buffers]() -> Awaitable<void> {
        result = std::get<0>(co_await write_all(*link.stream, buffers, 5s, nullptr));
      },
      asio::detached);
}

TEST(WriteAll, AMessageTheSocketTakesWholeIsWrittenInOrder) {
  WritePair link;
  const std::string head = "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\n";
  const std::string body = "body";
  const std::array<asio::const_buffer, 2> message{asio::buffer(head), asio::buffer(body)};
  std::optional<boost::beast::error_code> result;
  start_write_all(link, message, result);
  // No reader is needed: the whole message fits in the socket's send buffer.
  const auto give_up = std::chrono::steady_clock::now() + 5s;
  while (!result && std::chrono::steady_clock::now() < give_up) link.context.run_one_for(10ms);
  ASSERT_TRUE(result.has_value());
  EXPECT_FALSE(*result);
  std::string got(head.size() + body.size(), '\0');
  asio::read(link.peer, asio::buffer(got));
  EXPECT_EQ(got, head + body);
}

TEST(WriteAll, WhatTheSocketCannotTakeAtOnceFollowsAsTheReaderDrains) {
  WritePair link;
  std::string big(16 << 20, '\0');  // far more than loopback's socket buffers
  for (std::size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>('a' + i % 26);
  std::optional<boost::beast::error_code> result;
  start_write_all(link, asio::buffer(big), result);
  std::string got(big.size(), '\0');
  std::optional<boost::system::error_code> read_result;
  asio::async_read(link.peer, asio::buffer(got),
                   [&](boost::system::error_code ec, std::size_t) { read_result = ec; });
  const auto give_up = std::chrono::steady_clock::now() + 10s;
  while ((!result || !read_result) && std::chrono::steady_clock::now() < give_up) link.context.run_one_for(10ms);
  ASSERT_TRUE(result.has_value());
  EXPECT_FALSE(*result) << result->message();
  ASSERT_TRUE(read_result.has_value());
  EXPECT_FALSE(*read_result);
  EXPECT_TRUE(got == big);
}

// A stream that takes every byte it is offered and records how many each call offered.
struct RecordingStream {
  using executor_type = asio::io_context::executor_type;
  executor_type executor;
  std::vector<std::size_t> offered;

  executor_type get_executor() const { return executor; }
  void expires_after(std::chrono::nanoseconds) {}
  template <class Buffers, class Token>
  auto async_write_some(const Buffers& buffers, Token&& token) {
    offered.push_back(asio::buffer_size(buffers));
    return asio::async_initiate<Token, void(boost::system::error_code, std::size_t)>(
        [](auto handler, executor_type ex, std::size_t n) {
          asio::post(ex, [handler = std::move(handler), n]() mutable { std::move(handler)(boost::system::error_code{}, n); });
        },
        token, executor, offered.back());
  }
};

TEST(WriteWhole, OffersAMessageOver64KiBInOneCall) {
  // Asio's own transfer_all offers 64 KiB a call: a 64 KiB body and its header took two.
  asio::io_context context;
  RecordingStream stream{context.get_executor(), {}};
  const std::string head(222, 'h');
  const std::string body(64 * 1024, 'b');
  const std::array<asio::const_buffer, 2> message{asio::buffer(head), asio::buffer(body)};
  std::optional<WriteResult> result;
  asio::co_spawn(
      context, [&]() -> Awaitable<void> { result = co_await write_whole(stream, message, 5s)(use_awaitable); },
      asio::detached);
  context.run_for(5s);
  ASSERT_TRUE(result.has_value());
  EXPECT_FALSE(std::get<0>(*result));
  EXPECT_EQ(std::get<1>(*result), head.size() + body.size());
  EXPECT_EQ(stream.offered, std::vector<std::size_t>{head.size() + body.size()});
}

}  // namespace
}  // namespace levee::http
