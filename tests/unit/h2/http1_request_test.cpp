#include "proxy/h2/http1_request.h"

#include <gtest/gtest.h>

namespace levee::h2 {
namespace {

std::vector<Field> get_request() {
  return {{":method", "GET"}, {":scheme", "https"}, {":authority", "example.com:8443"}, {":path", "/a?b=1"}};
}

TEST(Http1RequestHead, TheRequestLineAndHostComeFromThePseudoHeaders) {
  EXPECT_EQ(http1_request_head(get_request(), std::nullopt),
            "GET /a?b=1 HTTP/1.1\r\nhost: example.com:8443\r\n\r\n");
}

TEST(Http1RequestHead, HostIsUsedWhenThereIsNoAuthority) {
  const std::vector<Field> fields{{":method", "GET"}, {":scheme", "http"}, {":path", "/"}, {"host", "svc"}};
  EXPECT_EQ(http1_request_head(fields, std::nullopt), "GET / HTTP/1.1\r\nhost: svc\r\n\r\n");
}

TEST(Http1RequestHead, HostIsNotRepeatedWhenBothAreSent) {
  auto fields = get_request();
  fields.push_back({"host", "example.com:8443"});
  const auto head = http1_request_head(fields, std::nullopt);
  ASSERT_TRUE(head);
  EXPECT_EQ(head->find("host:"), head->rfind("host:"));
}

TEST(Http1RequestHead, CookiesAreJoinedIntoOneField) {
  auto fields = get_request();
  fields.push_back({"cookie", "a=1"});
  fields.push_back({"accept", "*/*"});
  fields.push_back({"cookie", "b=2"});
  EXPECT_EQ(http1_request_head(fields, std::nullopt),
            "GET /a?b=1 HTTP/1.1\r\nhost: example.com:8443\r\naccept: */*\r\ncookie: a=1; b=2\r\n\r\n");
}

TEST(Http1RequestHead, TeExpectAndTheClientsLengthAreDropped) {
  auto fields = get_request();
  fields[0].value = "POST";
  fields.push_back({"te", "trailers"});
  fields.push_back({"expect", "100-continue"});
  fields.push_back({"content-length", "999"});
  fields.push_back({"content-type", "application/grpc"});
  EXPECT_EQ(http1_request_head(fields, 5),
            "POST /a?b=1 HTTP/1.1\r\nhost: example.com:8443\r\ncontent-type: application/grpc\r\n"
            "content-length: 5\r\n\r\n");
}

TEST(Http1RequestHead, AnEmptyBodyStillSaysItsLength) {
  auto fields = get_request();
  fields[0].value = "POST";
  const auto head = http1_request_head(fields, 0);
  ASSERT_TRUE(head);
  EXPECT_NE(head->find("content-length: 0\r\n"), std::string::npos);
}

TEST(Http1RequestHead, NoMethodNoRequest) {
  EXPECT_FALSE(http1_request_head({{":path", "/"}}, std::nullopt));
}

}  // namespace
}  // namespace levee::h2
