#include "client/request_bytes.h"

#include <gtest/gtest.h>

namespace levee::load {
namespace {

using namespace std::chrono_literals;

Url url() { return *parse_url("http://127.0.0.1:8080/work?x=1"); }

TEST(RequestBytes, DeadlineHeaderCarriesTheRemainingMilliseconds) {
  RequestTemplate t;
  const RequestParts parts = serialize_request(url(), t, 0);
  EXPECT_TRUE(parts.has_deadline);
  EXPECT_EQ(assemble(parts, 850ms),
            "GET /work?x=1 HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nUser-Agent: levee-load\r\nlevee-timeout: 850ms\r\n\r\n");
  // Never "0ms", which a proxy could read as "no time limit".
  EXPECT_NE(assemble(parts, -5ms).find("levee-timeout: 1ms\r\n"), std::string::npos);
}

TEST(RequestBytes, RetriesAreTaggedAndTheDeadlineHeaderCanBeDisabled) {
  RequestTemplate t;
  t.deadline_header = "";
  t.retry_header = "X-Retry";
  t.keep_alive = false;
  t.method = "POST";
  t.body = "hello";
  t.headers = {{"X-A", "b"}};
  const RequestParts parts = serialize_request(url(), t, 2);
  EXPECT_FALSE(parts.has_deadline);
  EXPECT_EQ(assemble(parts, 1s),
            "POST /work?x=1 HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nX-A: b\r\nUser-Agent: levee-load\r\nX-Retry: 2\r\n"
            "Connection: close\r\nContent-Length: 5\r\n\r\nhello");
}

TEST(RequestBytes, OnePerTargetAndAttempt) {
  const RequestBytes bytes({url(), *parse_url("http://localhost:9/")}, RequestTemplate{}, 2);
  EXPECT_EQ(bytes.get(1, 0).head.rfind("GET / HTTP/1.1\r\nHost: localhost:9\r\n", 0), 0u);
  EXPECT_NE(bytes.get(0, 2).head.find("Retry-Attempt: 2\r\n"), std::string::npos);
  EXPECT_EQ(bytes.get(0, 0).head.find("Retry-Attempt"), std::string::npos);
}

TEST(RequestBytes, AKeyedHeaderGetsItsValuePerRequest) {
  RequestTemplate t;
  t.headers = {{"X-Tenant", "k-{key}-x"}, {"X-A", "b"}};
  const RequestParts parts = serialize_request(url(), t, 0);
  EXPECT_TRUE(parts.has_key);
  EXPECT_EQ(assemble(parts, 20ms, 4711),
            "GET /work?x=1 HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nX-A: b\r\nUser-Agent: levee-load\r\n"
            "X-Tenant: k-4711-x\r\nlevee-timeout: 20ms\r\n\r\n");
  t.deadline_header = "";
  EXPECT_EQ(assemble(serialize_request(url(), t, 0), 20ms, 0),
            "GET /work?x=1 HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nX-A: b\r\nUser-Agent: levee-load\r\nX-Tenant: k-0-x\r\n\r\n");
}

}  // namespace
}  // namespace levee::load
