// write_serialized_now (sized_relay.h): a message framed by Beast's serializer (here a chunked
// answer, as relay_body re-encodes one) sent without waiting, over a Unix socket pair. It must
// put out exactly what Beast's own write would, stop where the socket stops taking bytes (the
// caller's asynchronous write then finishes), and report a send that failed.
#include "proxy/http/field_pool.h"
#include "proxy/http/immediate_io.h"
#include "proxy/http/sized_relay.h"

#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/serializer.hpp>
#include <gtest/gtest.h>

#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <string>
#include <system_error>

namespace levee::http {
namespace {

namespace bh = boost::beast::http;
using Answer = bh::message<false, bh::buffer_body, Fields>;

// The part of a stream write_serialized_now uses, on one end of a socket pair.
class PairStream {
 public:
  PairStream() {
    if (::socketpair(AF_UNIX, SOCK_STREAM, 0, fds_.data()) != 0) throw std::system_error(errno, std::generic_category());
  }
  ~PairStream() {
    for (int fd : fds_)
      if (fd >= 0) ::close(fd);
  }
  PairStream(const PairStream&) = delete;
  PairStream& operator=(const PairStream&) = delete;

  template <class Buffers>
  std::size_t write_some_now(const Buffers& buffers, boost::system::error_code& ec) {
    std::array<iovec, 16> storage;
    return send_now(fds_[0], iovecs_of(buffers, storage), ec);
  }
  // Everything the peer end has now.
  std::string drain() {
    std::string got;
    std::array<char, 65536> chunk;
    for (;;) {
      const ssize_t n = ::recv(fds_[1], chunk.data(), chunk.size(), MSG_DONTWAIT);
      if (n <= 0) return got;
      got.append(chunk.data(), static_cast<std::size_t>(n));
    }
  }
  void close_peer() {
    ::close(fds_[1]);
    fds_[1] = -1;
  }

 private:
  std::array<int, 2> fds_{-1, -1};
};

Answer chunked_answer() {
  Answer answer{bh::status::ok, 11};
  answer.chunked(true);
  return answer;
}

void give(Answer& answer, std::string& piece, bool more) {
  answer.body().data = piece.empty() ? nullptr : piece.data();
  answer.body().size = piece.size();
  answer.body().more = more;
}

TEST(SerializedNow, AChunkedAnswerGoesOutFramedAsBeastFramesIt) {
  PairStream stream;
  Answer answer = chunked_answer();
  bh::serializer<false, bh::buffer_body, Fields> serializer{answer};
  std::string hello = "hello";
  std::string world = ", world";
  std::string none;
  std::string sent;
  boost::beast::error_code ec;

  give(answer, hello, true);
  std::size_t count = write_serialized_now(stream, serializer, ec);
  EXPECT_EQ(ec, bh::error::need_buffer);  // the piece is out: the relay reads the next one
  give(answer, world, true);
  count += write_serialized_now(stream, serializer, ec);
  EXPECT_EQ(ec, bh::error::need_buffer);
  give(answer, none, false);
  count += write_serialized_now(stream, serializer, ec);
  EXPECT_FALSE(ec) << ec.message();
  EXPECT_TRUE(serializer.is_done());

  sent = stream.drain();
  EXPECT_EQ(count, sent.size());
  EXPECT_EQ(sent,
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
            "5\r\nhello\r\n7\r\n, world\r\n0\r\n\r\n");
}

TEST(SerializedNow, StopsWhereTheSocketStopsTakingBytesAndGoesOnFromThere) {
  PairStream stream;
  Answer answer = chunked_answer();
  bh::serializer<false, bh::buffer_body, Fields> serializer{answer};
  std::string big(8 * 1024 * 1024, 'x');  // more than a socket pair buffers
  boost::beast::error_code ec;

  give(answer, big, true);
  std::size_t count = write_serialized_now(stream, serializer, ec);
  EXPECT_FALSE(ec) << ec.message();  // no error: the caller's asynchronous write takes over
  EXPECT_FALSE(serializer.is_done());
  std::string received = stream.drain();
  EXPECT_GT(count, 0u);
  EXPECT_EQ(received.size(), count);

  // With room again, the rest of the same piece goes where the first part stopped.
  for (int round = 0; round < 10000 && ec != bh::error::need_buffer; ++round) {
    count += write_serialized_now(stream, serializer, ec);
    received += stream.drain();
  }
  ASSERT_EQ(ec, bh::error::need_buffer);
  const auto body_at = received.find("\r\n\r\n") + 4;
  const auto data_at = received.find("\r\n", body_at) + 2;  // past the chunk size line
  EXPECT_EQ(received.substr(body_at, data_at - body_at), "800000\r\n");
  EXPECT_EQ(received.size() - data_at, big.size() + 2);  // the data and its CRLF
  EXPECT_EQ(received.compare(data_at, big.size(), big), 0);
  EXPECT_EQ(count, received.size());
}

TEST(SerializedNow, ASendThatFailsIsReported) {
  PairStream stream;
  stream.close_peer();
  Answer answer = chunked_answer();
  bh::serializer<false, bh::buffer_body, Fields> serializer{answer};
  std::string hello = "hello";
  boost::beast::error_code ec;
  give(answer, hello, true);
  EXPECT_EQ(write_serialized_now(stream, serializer, ec), 0u);
  EXPECT_EQ(ec, boost::asio::error::broken_pipe);
}

}  // namespace
}  // namespace levee::http
