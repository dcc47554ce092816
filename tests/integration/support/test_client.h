#pragma once
// A small blocking HTTP/1.1 client for integration tests, built on Beast with a deadline on
// every operation (no test can hang). It can also send raw bytes, for malformed and smuggling
// requests a well-behaved client would never produce.

#include <boost/asio/io_context.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/fields.hpp>

#include <chrono>
#include <string>
#include <utility>
#include <vector>

namespace levee::testing {

struct Response {
  unsigned status = 0;
  boost::beast::http::fields headers;
  std::string body;
  bool keep_alive = false;
  std::string header(std::string_view name) const { return std::string(headers[name]); }
};

class TestClient {
 public:
  explicit TestClient(unsigned short port, std::chrono::milliseconds timeout = std::chrono::seconds(10));

  void send_raw(std::string_view bytes);
  Response read_response(bool head_request = false);
  Response request(std::string_view method, std::string_view target, std::string body = {},
                   const std::vector<std::pair<std::string, std::string>>& headers = {});
  // True when the server closes the connection within `wait` (reads until EOF, discarding).
  bool closed_by_peer(std::chrono::milliseconds wait);
  void close();

 private:
  boost::asio::io_context context_;
  boost::beast::tcp_stream stream_;
  boost::beast::flat_buffer buffer_;
  std::chrono::milliseconds timeout_;
};

// One request on a fresh connection.
Response fetch(unsigned short port, std::string_view method, std::string_view target, std::string body = {},
               const std::vector<std::pair<std::string, std::string>>& headers = {});

}  // namespace levee::testing
