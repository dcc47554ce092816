#pragma once
// Where a response goes when the client is not an HTTP/1.1 connection: an HTTP/2 stream. The
// upstream exchange reads the service's answer as usual (HTTP/1.1, hop-by-hop fields already
// removed by prepare_downstream_response) and hands it here instead of serialising it onto a
// socket; the implementation frames it for its protocol and applies its flow control.

#include <boost/asio/awaitable.hpp>
#include <boost/beast/http/message.hpp>

#include <string_view>

namespace levee::http {

class ResponseSink {
 public:
  virtual ~ResponseSink() = default;
  // The status and header fields; `end`: no body follows. False: the client is gone.
  virtual boost::asio::awaitable<bool> write_head(const boost::beast::http::response_header<>& head, bool end) = 0;
  // Body bytes (copied before return); waits while the client is behind (flow control).
  // `end`: the last of the body. False: the client is gone.
  virtual boost::asio::awaitable<bool> write_body(std::string_view bytes, bool end) = 0;
};

}  // namespace levee::http
