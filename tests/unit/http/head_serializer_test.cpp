#include "proxy/http/head_serializer.h"

#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/serializer.hpp>
#include <boost/beast/http/string_body.hpp>
#include <gtest/gtest.h>

#include <string>

namespace levee::http {
namespace {
namespace bh = boost::beast::http;

// What Beast's own serializer writes for the header: levee's flat copy must be byte for byte
// the same, so the service and the client see exactly what they saw before.
template <bool isRequest>
std::string beast_head(bh::message<isRequest, bh::string_body, Fields> message) {
  bh::serializer<isRequest, bh::string_body, Fields> serializer{message};
  serializer.split(true);
  std::string out;
  boost::beast::error_code ec;
  while (!serializer.is_header_done()) {
    serializer.next(ec, [&](boost::beast::error_code&, const auto& buffers) {
      out += boost::beast::buffers_to_string(buffers);
      serializer.consume(boost::asio::buffer_size(buffers));
    });
  }
  return out;
}

TEST(HeadSerializer, RequestMatchesBeast) {
  bh::message<true, bh::string_body, Fields> request{bh::verb::post, "/orders?id=7", 11};
  request.set(bh::field::host, "shop.example");
  request.set(bh::field::content_length, "12");
  request.insert("X-Custom", "a, b");
  request.insert("x-custom", "c");
  std::string head;
  serialize_head(request.base(), head);
  EXPECT_EQ(head, beast_head(request));
  EXPECT_EQ(head.rfind("POST /orders?id=7 HTTP/1.1\r\n", 0), 0u);
  EXPECT_TRUE(head.ends_with("\r\nx-custom: c\r\n\r\n"));
}

// The fields levee adds go after the request's own: byte for byte what Beast writes for the
// same header with them inserted.
TEST(HeadSerializer, AddedFieldsFollowTheRequestsOwnAsIfInserted) {
  bh::message<true, bh::string_body, Fields> request{bh::verb::get, "/", 11};
  request.set(bh::field::host, "shop.example");
  AddedFields added;
  added.add("X-Request-Id", "0123456789abcdef");
  added.add("X-Forwarded-For", "10.0.0.9");
  added.add("Via", "1.1 levee");
  std::string head;
  serialize_head(request.base(), added.fields(), head);
  added.insert_into(request.base());
  EXPECT_EQ(head, beast_head(request));
  EXPECT_EQ(head, "GET / HTTP/1.1\r\nHost: shop.example\r\nX-Request-Id: 0123456789abcdef\r\n"
                  "X-Forwarded-For: 10.0.0.9\r\nVia: 1.1 levee\r\n\r\n");
}

TEST(HeadSerializer, UnknownMethodIsWrittenAsSent) {
  bh::message<true, bh::string_body, Fields> request;
  request.method_string("PURGE");
  request.target("/cache");
  request.version(10);
  std::string head = "old contents are replaced";
  serialize_head(request.base(), head);
  EXPECT_EQ(head, "PURGE /cache HTTP/1.0\r\n\r\n");
}

TEST(HeadSerializer, ResponseMatchesBeast) {
  bh::message<false, bh::string_body, Fields> response{bh::status::not_found, 11};
  response.set(bh::field::content_length, "0");
  response.set(bh::field::via, "1.1 levee");
  std::string head;
  serialize_head(response.base(), head);
  EXPECT_EQ(head, beast_head(response));
  EXPECT_EQ(head, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nVia: 1.1 levee\r\n\r\n");
}

TEST(HeadSerializer, ResponseKeepsTheServicesReasonPhrase) {
  bh::message<false, bh::string_body, Fields> response{bh::status::ok, 11};
  response.reason("Fine");
  std::string head;
  serialize_head(response.base(), head);
  EXPECT_EQ(head, "HTTP/1.1 200 Fine\r\n\r\n");
}

TEST(HeadSerializer, StatusWithoutAStandardPhraseGetsAnEmptyOne) {
  bh::message<false, bh::string_body, Fields> response;
  response.result(299);
  response.version(11);
  std::string head;
  serialize_head(response.base(), head);
  EXPECT_EQ(head, "HTTP/1.1 299 \r\n\r\n");
}

}  // namespace
}  // namespace levee::http
