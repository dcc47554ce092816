#pragma once
// A connected pair on 127.0.0.1 for the DeadlineStream tests: the stream under test and the
// plain socket of its peer, both on one io_context that the test runs itself.

#include "proxy/http/deadline_stream.h"

#include <boost/asio/buffer.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>

#include <optional>
#include <string_view>

namespace levee::http::test_support {

struct DeadlineStreamPair {
  boost::asio::io_context context;
  std::optional<DeadlineStream> stream;
  boost::asio::ip::tcp::socket peer{context};

  DeadlineStreamPair() {
    using boost::asio::ip::tcp;
    tcp::acceptor acceptor(context, tcp::endpoint(boost::asio::ip::address_v4::loopback(), 0));
    stream.emplace(context);
    stream->socket().connect(acceptor.local_endpoint());
    acceptor.accept(peer);
  }

  void peer_sends(std::string_view bytes) { boost::asio::write(peer, boost::asio::buffer(bytes)); }
};

}  // namespace levee::http::test_support
