// send_now (immediate_io.h) over a socket pair: what it does when the socket can take bytes,
// when it cannot (nothing sent, no error: the caller waits), and when the peer has closed. No call here may block: every socket is left in blocking mode, so a
// missing MSG_DONTWAIT would hang the test (bounded by ctest's timeout).
#include "proxy/http/immediate_io.h"

#include <boost/asio/error.hpp>
#include <gtest/gtest.h>

#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <string>
#include <string_view>
#include <vector>

namespace levee::http {
namespace {

class SocketPair {
 public:
  SocketPair() {
    if (::socketpair(AF_UNIX, SOCK_STREAM, 0, fds_.data()) != 0) throw std::system_error(errno, std::generic_category());
  }
  ~SocketPair() {
    close_one(0);
    close_one(1);
  }
  SocketPair(const SocketPair&) = delete;
  SocketPair& operator=(const SocketPair&) = delete;
  int here() const { return fds_[0]; }
  int there() const { return fds_[1]; }
  void close_there() { close_one(1); }

 private:
  void close_one(int i) {
    if (fds_[i] >= 0) ::close(fds_[i]);
    fds_[i] = -1;
  }
  std::array<int, 2> fds_{-1, -1};
};

iovec iovec_of(std::string_view bytes) { return iovec{const_cast<char*>(bytes.data()), bytes.size()}; }

TEST(ImmediateIo, SendsEveryBufferInOrderWhenTheSocketTakesThem) {
  SocketPair pair;
  const std::array<iovec, 2> message{iovec_of("head;"), iovec_of("body")};
  boost::system::error_code ec;
  EXPECT_EQ(send_now(pair.here(), message, ec), 9u);
  EXPECT_FALSE(ec);
  std::string got(9, '\0');
  ASSERT_EQ(::recv(pair.there(), got.data(), got.size(), MSG_DONTWAIT), 9);
  EXPECT_EQ(got, "head;body");
}

TEST(ImmediateIo, SendsWhatFitsAndNothingMoreWithoutWaiting) {
  SocketPair pair;
  const std::string big(16 * 1024 * 1024, 'x');  // more than a socket pair buffers
  const std::array<iovec, 1> message{iovec_of(big)};
  boost::system::error_code ec;
  const std::size_t first = send_now(pair.here(), message, ec);
  EXPECT_FALSE(ec);
  EXPECT_GT(first, 0u);
  EXPECT_LT(first, big.size());
  // Full now: nothing is sent, and that is not an error (the caller's asynchronous write waits).
  EXPECT_EQ(send_now(pair.here(), message, ec), 0u);
  EXPECT_FALSE(ec);
}

TEST(ImmediateIo, ASendToAClosedPeerIsAnErrorNotASignal) {
  SocketPair pair;
  pair.close_there();
  const std::array<iovec, 1> message{iovec_of("late")};
  boost::system::error_code ec;
  EXPECT_EQ(send_now(pair.here(), message, ec), 0u);
  EXPECT_EQ(ec, boost::asio::error::broken_pipe);  // MSG_NOSIGNAL: no SIGPIPE kills the test
}

TEST(ImmediateIo, IovecsSkipEmptyBuffersAndStopAtTheirRoom) {
  const std::string a = "a", c = "c", d = "d";
  const std::vector<boost::asio::const_buffer> buffers{boost::asio::buffer(a), boost::asio::const_buffer(),
                                                       boost::asio::buffer(c), boost::asio::buffer(d)};
  std::array<iovec, 2> room;
  const auto iovecs = iovecs_of(buffers, room);
  ASSERT_EQ(iovecs.size(), 2u);
  EXPECT_EQ(iovecs[0].iov_base, a.data());
  EXPECT_EQ(iovecs[1].iov_base, c.data());
}

}  // namespace
}  // namespace levee::http
