#include "client/h2_request.h"

#include <gtest/gtest.h>

#include "client/request_bytes.h"

namespace levee::load {
namespace {

using namespace std::chrono_literals;

TEST(H2Request, TheSerialisedRequestBecomesPseudoHeadersFieldsAndBody) {
  RequestTemplate t;
  t.method = "POST";
  t.body = "hello";
  t.headers = {{"X-Tenant", "t-{key}"}};
  const RequestParts parts = serialize_request(*parse_url("http://127.0.0.1:8080/work?x=1"), t, 1);
  const auto request = h2_request_from_http1(assemble(parts, 850ms, 7));
  ASSERT_TRUE(request);
  EXPECT_EQ(request->head.method, "POST");
  EXPECT_EQ(request->head.path, "/work?x=1");
  EXPECT_EQ(request->head.authority, "127.0.0.1:8080");
  EXPECT_EQ(request->body, "hello");
  const auto has = [&](std::string_view name, std::string_view value) {
    for (const auto& field : request->head.headers)
      if (field.name == name && field.value == value) return true;
    return false;
  };
  EXPECT_TRUE(has("x-tenant", "t-7"));          // the key filled in, the name lower-cased
  EXPECT_TRUE(has("levee-timeout", "850ms"));   // the deadline as the HTTP/1.1 path sends it
  EXPECT_TRUE(has("retry-attempt", "1"));
  EXPECT_TRUE(has("content-length", "5"));
  for (const auto& field : request->head.headers) EXPECT_NE(field.name, "host");  // it is :authority
}

TEST(H2Request, TextThatIsNotARequestIsRefused) {
  EXPECT_FALSE(h2_request_from_http1("GET / HTTP/1.1\r\nHost: a\r\n"));  // no end of head
  EXPECT_FALSE(h2_request_from_http1("GET\r\n\r\n"));                     // no target
  EXPECT_FALSE(h2_request_from_http1("GET / HTTP/1.1\r\nno colon\r\n\r\n"));
}

}  // namespace
}  // namespace levee::load
