#include "test_client.h"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include <stdexcept>

namespace levee::testing {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bh = boost::beast::http;

namespace {
void throw_if(const beast::error_code& ec, const char* what) {
  if (ec) throw std::runtime_error(std::string(what) + ": " + ec.message());
}
}  // namespace

TestClient::TestClient(unsigned short port, std::chrono::milliseconds timeout) : stream_(context_), timeout_(timeout) {
  beast::error_code result;
  stream_.expires_after(timeout_);
  stream_.async_connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port),
                        [&](const beast::error_code& ec) { result = ec; });
  context_.run();
  throw_if(result, "connect");
}

void TestClient::send_raw(std::string_view bytes) {
  beast::error_code result;
  context_.restart();
  stream_.expires_after(timeout_);
  asio::async_write(stream_, asio::buffer(bytes), [&](const beast::error_code& ec, std::size_t) { result = ec; });
  context_.run();
  throw_if(result, "write");
}

Response TestClient::read_response(bool head_request) {
  bh::response_parser<bh::string_body> parser;
  parser.body_limit(1024ULL * 1024 * 1024);
  parser.skip(head_request);
  beast::error_code result;
  context_.restart();
  stream_.expires_after(timeout_);
  bh::async_read(stream_, buffer_, parser, [&](const beast::error_code& ec, std::size_t) { result = ec; });
  context_.run();
  throw_if(result, "read response");
  auto message = parser.release();
  Response response;
  response.status = message.result_int();
  response.keep_alive = message.keep_alive();
  for (const auto& field : message) response.headers.insert(field.name_string(), field.value());
  response.body = std::move(message.body());
  return response;
}

Response TestClient::request(std::string_view method, std::string_view target, std::string body,
                             const std::vector<std::pair<std::string, std::string>>& headers) {
  bh::request<bh::string_body> request{bh::string_to_verb(method), target, 11};
  request.set(bh::field::host, "localhost");
  for (const auto& [name, value] : headers) request.set(name, value);
  const bool chunked = request[bh::field::transfer_encoding] == "chunked";
  request.body() = std::move(body);
  if (chunked) request.chunked(true);
  else if (!request.body().empty() || method == "POST" || method == "PUT") request.prepare_payload();
  beast::error_code result;
  context_.restart();
  stream_.expires_after(timeout_);
  bh::async_write(stream_, request, [&](const beast::error_code& ec, std::size_t) { result = ec; });
  context_.run();
  throw_if(result, "write request");
  return read_response(method == "HEAD");
}

bool TestClient::closed_by_peer(std::chrono::milliseconds wait) {
  char sink[4096];
  const auto deadline = std::chrono::steady_clock::now() + wait;
  for (;;) {
    beast::error_code result;
    std::size_t n = 0;
    context_.restart();
    stream_.expires_at(deadline);
    stream_.async_read_some(asio::buffer(sink), [&](const beast::error_code& ec, std::size_t bytes) {
      result = ec;
      n = bytes;
    });
    context_.run();
    if (result == beast::error::timeout) return false;
    if (result) return true;  // EOF or reset
    (void)n;
  }
}

void TestClient::close() {
  beast::error_code ignored;
  stream_.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  stream_.close();
}

Response fetch(unsigned short port, std::string_view method, std::string_view target, std::string body,
               const std::vector<std::pair<std::string, std::string>>& headers) {
  TestClient client(port);
  return client.request(method, target, std::move(body), headers);
}

}  // namespace levee::testing
