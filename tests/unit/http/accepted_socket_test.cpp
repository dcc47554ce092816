// accept_now (accepted_socket.h) on a real listening socket on 127.0.0.1: what it returns with
// no connection pending, and that a connection it takes is non-blocking, close-on-exec, has
// TCP_NODELAY from the listener, is known to Asio as non-blocking (so no ioctl comes before its
// first operation) and serves asynchronous reads and writes like any socket Asio accepted.
#include "proxy/http/accepted_socket.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <gtest/gtest.h>

#include <fcntl.h>

#include <array>
#include <string>
#include <string_view>

namespace levee::http {
namespace {
namespace asio = boost::asio;
using asio::ip::tcp;

class AcceptNow : public ::testing::Test {
 protected:
  AcceptNow() : acceptor_(context_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
    acceptor_.non_blocking(true);
    acceptor_.set_option(tcp::no_delay(true));
  }

  tcp::socket connect_client() {
    tcp::socket client(context_);
    client.connect(acceptor_.local_endpoint());
    return client;
  }

  asio::io_context context_;
  tcp::acceptor acceptor_;
};

TEST_F(AcceptNow, SaysWouldBlockWhenNoConnectionIsPending) {
  tcp::endpoint peer;
  boost::system::error_code ec;
  tcp::socket socket = accept_now(acceptor_, context_, peer, ec);
  EXPECT_EQ(ec, asio::error::would_block);
  EXPECT_FALSE(socket.is_open());
}

TEST_F(AcceptNow, TakesAPendingConnectionNonBlockingWithItsPeer) {
  tcp::socket client = connect_client();
  tcp::endpoint peer;
  boost::system::error_code ec;
  tcp::socket socket = accept_now(acceptor_, context_, peer, ec);
  ASSERT_FALSE(ec) << ec.message();
  ASSERT_TRUE(socket.is_open());
  EXPECT_EQ(peer, client.local_endpoint());

  const int fd = socket.native_handle();
  EXPECT_NE(::fcntl(fd, F_GETFL) & O_NONBLOCK, 0);
  EXPECT_NE(::fcntl(fd, F_GETFD) & FD_CLOEXEC, 0);
  tcp::no_delay no_delay;
  socket.get_option(no_delay);
  EXPECT_TRUE(no_delay.value());              // copied from the listening socket by the kernel
  EXPECT_TRUE(socket.native_non_blocking());  // Asio's own record, read without a system call

  // One connection was pending, and it was taken.
  accept_now(acceptor_, context_, peer, ec);
  EXPECT_EQ(ec, asio::error::would_block);
}

TEST_F(AcceptNow, TheSocketServesAsynchronousReadsAndWritesAndCloses) {
  tcp::socket client = connect_client();
  tcp::endpoint peer;
  boost::system::error_code ec;
  tcp::socket socket = accept_now(acceptor_, context_, peer, ec);
  ASSERT_FALSE(ec) << ec.message();

  // The read is started before the bytes exist, so it waits in the worker's epoll.
  std::array<char, 5> got{};
  std::size_t read = 0;
  asio::async_read(socket, asio::buffer(got), [&](boost::system::error_code e, std::size_t n) {
    ec = e;
    read = n;
  });
  context_.poll();
  EXPECT_EQ(read, 0u);
  asio::write(client, asio::buffer(std::string_view("hello")));
  context_.run_for(std::chrono::seconds(5));
  context_.restart();
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_EQ(std::string(got.data(), read), "hello");

  asio::async_write(socket, asio::buffer(std::string_view("world")),
                    [&](boost::system::error_code e, std::size_t) { ec = e; });
  context_.run_for(std::chrono::seconds(5));
  ASSERT_FALSE(ec) << ec.message();
  socket.close();

  std::array<char, 16> answer{};
  const std::size_t n = asio::read(client, asio::buffer(answer), ec);
  EXPECT_EQ(ec, asio::error::eof);  // the close reached the client
  EXPECT_EQ(std::string(answer.data(), n), "world");
}

TEST(AcceptErrors, TheConnectionsOwnErrorsAreTriedAgainAndTheProcesssAreNot) {
  EXPECT_TRUE(is_connection_level(asio::error::connection_aborted));
  EXPECT_TRUE(is_connection_level(boost::system::error_code(EPROTO, boost::system::system_category())));
  EXPECT_FALSE(is_connection_level(boost::system::error_code(EMFILE, boost::system::system_category())));
  EXPECT_FALSE(is_connection_level(asio::error::would_block));
  EXPECT_FALSE(is_connection_level(asio::error::eof));  // another category altogether
}

}  // namespace
}  // namespace levee::http
