// Reading a body of known length whole (sized_relay.h): what came with the header is taken
// without I/O, and only the rest is read, over a loopback DeadlineStream; a small body is sent in
// its head's buffer. Every run of the context is bounded.
#include "proxy/http/deadline_stream.h"
#include "proxy/http/sized_relay.h"
#include "tests/unit/http/deadline_stream_pair.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <gtest/gtest.h>

#include <chrono>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

namespace levee::http {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

using ReadPair = test_support::DeadlineStreamPair;

void fill(boost::beast::flat_buffer& buffer, std::string_view bytes) {
  auto room = buffer.prepare(bytes.size());
  std::memcpy(room.data(), bytes.data(), bytes.size());
  buffer.commit(bytes.size());
}

// Reads the rest of `out` from `have` on; `result` is set when it ends.
std::optional<boost::beast::error_code> read_rest(ReadPair& link, std::string& out, std::size_t have) {
  std::optional<boost::beast::error_code> result;
  asio::co_spawn(
      link.context,
      [&]() -> Awaitable<void> { result = co_await read_body_rest(*link.stream, out, have, 5s); },
      asio::detached);
  const auto give_up = std::chrono::steady_clock::now() + 5s;
  while (!result && std::chrono::steady_clock::now() < give_up) link.context.run_one_for(10ms);
  return result;
}

TEST(SizedBody, ABodyThatCameWithItsHeaderIsTakenWholeAndWhatFollowsItStays) {
  boost::beast::flat_buffer buffer;
  fill(buffer, "hello, worldHTTP/1.1 200 OK\r\n");  // the body, then the next answer's first bytes
  std::string out = "a reused buffer, longer than the body";
  EXPECT_EQ(take_buffered_body(buffer, out, 12), 12u);
  EXPECT_EQ(out, "hello, world");
  const auto rest = buffer.data();
  EXPECT_EQ(std::string_view(static_cast<const char*>(rest.data()), rest.size()), "HTTP/1.1 200 OK\r\n");
}

TEST(SizedBody, WhatDidNotComeWithTheHeaderIsReadFromTheSocket) {
  ReadPair link;
  boost::beast::flat_buffer buffer;
  fill(buffer, "hello, ");
  std::string out;
  const std::size_t have = take_buffered_body(buffer, out, 12);
  ASSERT_EQ(have, 7u);
  EXPECT_EQ(buffer.size(), 0u);
  link.peer_sends("world");
  const auto result = read_rest(link, out, have);
  ASSERT_TRUE(result.has_value());
  EXPECT_FALSE(*result) << result->message();
  EXPECT_EQ(out, "hello, world");
}

TEST(SizedBody, AServiceThatClosesEarlyFailsTheReadAndLeavesWhatCame) {
  ReadPair link;
  std::string out(12, '\0');
  out.replace(0, 7, "hello, ");
  link.peer_sends("wor");
  link.peer.shutdown(asio::ip::tcp::socket::shutdown_send);
  const auto result = read_rest(link, out, 7);
  ASSERT_TRUE(result.has_value());
  EXPECT_EQ(*result, asio::error::eof);
  EXPECT_EQ(out, "hello, wor");
}

// A small body rides in its head's buffer (one send); a larger one is left for a gather write,
// the head untouched.
TEST(SizedBody, ASmallBodyIsCopiedAfterItsHeadAndALargerOneIsNot) {
  std::string head = "HTTP/1.1 200 OK\r\n\r\n";
  const std::string small(max_body_copied_into_head, 's');
  EXPECT_TRUE(append_small_body(head, small));
  EXPECT_EQ(head, "HTTP/1.1 200 OK\r\n\r\n" + small);

  std::string other_head = "HTTP/1.1 200 OK\r\n\r\n";
  const std::string large(max_body_copied_into_head + 1, 'l');
  EXPECT_FALSE(append_small_body(other_head, large));
  EXPECT_EQ(other_head, "HTTP/1.1 200 OK\r\n\r\n");

  EXPECT_TRUE(append_small_body(other_head, ""));
  EXPECT_EQ(other_head, "HTTP/1.1 200 OK\r\n\r\n");
}

}  // namespace
}  // namespace levee::http
