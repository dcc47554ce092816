#include "proxy/http/request_class.h"

#include <gtest/gtest.h>

#include "proxy/config/header_duration.h"

namespace levee::http {
namespace {
using namespace std::chrono_literals;
namespace bh = boost::beast::http;

struct RequestClassTest : ::testing::Test {
  Fields headers;
  config::RouteConfig route;
  config::RequestHeadersConfig names;
};

TEST_F(RequestClassTest, DefaultsComeFromTheRoute) {
  route.priority = policy::Priority::sheddable;
  const auto result = classify_request(headers, route, names);
  EXPECT_EQ(result.priority, policy::Priority::sheddable);
  EXPECT_FALSE(result.is_retry);
  EXPECT_FALSE(result.patience);
}

TEST_F(RequestClassTest, PriorityHeaderOverridesTheRouteAndUnknownWordsAreIgnored) {
  headers.set("levee-priority", "critical");
  EXPECT_EQ(classify_request(headers, route, names).priority, policy::Priority::critical);
  headers.set("levee-priority", "urgent!!");
  EXPECT_EQ(classify_request(headers, route, names).priority, policy::Priority::normal);
}

TEST_F(RequestClassTest, RetryHeaderMarksRetriesButZeroIsAFirstAttempt) {
  headers.set("Retry-Attempt", "0");
  EXPECT_FALSE(classify_request(headers, route, names).is_retry);
  headers.set("Retry-Attempt", "2");
  EXPECT_TRUE(classify_request(headers, route, names).is_retry);
  names.retry = "X-Retry-Count";
  EXPECT_FALSE(classify_request(headers, route, names).is_retry);
  headers.set("X-Retry-Count", "1");
  EXPECT_TRUE(classify_request(headers, route, names).is_retry);
}

TEST_F(RequestClassTest, PatienceIsTheDeadlineHeaderCappedByTheRouteTimeout) {
  headers.set("levee-timeout", "1500ms");
  EXPECT_EQ(classify_request(headers, route, names).patience, 1500ms);
  route.timeout = 1s;
  EXPECT_EQ(classify_request(headers, route, names).patience, 1s);
  headers.erase("levee-timeout");
  EXPECT_EQ(classify_request(headers, route, names).patience, 1s);
  headers.set("levee-timeout", "soon");
  EXPECT_EQ(classify_request(headers, route, names).patience, 1s);  // garbage: the route's cap
}

TEST_F(RequestClassTest, AHugeDeadlineIsCappedSoArrivalPlusPatienceCannotOverflow) {
  headers.set("levee-timeout", "9999999999999s");
  const auto patience = classify_request(headers, route, names).patience;
  ASSERT_TRUE(patience);
  EXPECT_EQ(*patience, config::max_header_duration);
  const auto arrival = std::chrono::steady_clock::now();
  EXPECT_GT(arrival + *patience, arrival);
}

TEST_F(RequestClassTest, AnEmptyHeaderNameTurnsTheSignalOff) {
  names.priority.clear();
  names.retry.clear();
  headers.set("levee-priority", "critical");
  headers.set("Retry-Attempt", "1");
  const auto result = classify_request(headers, route, names);
  EXPECT_EQ(result.priority, policy::Priority::normal);
  EXPECT_FALSE(result.is_retry);
}

TEST_F(RequestClassTest, AGrpcCallsTimeoutIsItsPatienceCappedByTheRouteAndTheDeadlineHeader) {
  headers.set("content-type", "application/grpc+proto");
  headers.set("grpc-timeout", "250m");
  EXPECT_EQ(classify_request(headers, route, names).patience, 250ms);
  headers.set("levee-timeout", "100ms");
  EXPECT_EQ(classify_request(headers, route, names).patience, 100ms);  // the shorter of the two
  headers.erase("levee-timeout");
  route.timeout = 200ms;
  EXPECT_EQ(classify_request(headers, route, names).patience, 200ms);
  headers.set("grpc-timeout", "250 m");  // malformed: absent, the route's cap stands
  EXPECT_EQ(classify_request(headers, route, names).patience, 200ms);
}

TEST_F(RequestClassTest, AHugeGrpcTimeoutIsCappedLikeADeadlineHeader) {
  headers.set("content-type", "application/grpc");
  headers.set("grpc-timeout", "99999999H");
  EXPECT_EQ(classify_request(headers, route, names).patience, config::max_header_duration);
}

TEST_F(RequestClassTest, GrpcPreviousAttemptsMarksARetry) {
  headers.set("content-type", "application/grpc");
  headers.set("grpc-previous-rpc-attempts", "0");
  EXPECT_FALSE(classify_request(headers, route, names).is_retry);
  headers.set("grpc-previous-rpc-attempts", "2");
  EXPECT_TRUE(classify_request(headers, route, names).is_retry);
}

TEST_F(RequestClassTest, GrpcFieldsCountOnlyOnAGrpcCall) {
  headers.set("content-type", "application/json");
  headers.set("grpc-timeout", "1m");
  headers.set("grpc-previous-rpc-attempts", "3");
  const auto result = classify_request(headers, route, names);
  EXPECT_FALSE(result.patience);
  EXPECT_FALSE(result.is_retry);
}

TEST(RestateGrpcTimeout, TheServiceIsToldWhatIsLeftOfTheCallersDeadline) {
  Fields headers;
  const policy::TimePoint now{std::chrono::seconds(100)};
  headers.set("grpc-timeout", "250m");
  restate_grpc_timeout(headers, now + 180ms, now);
  EXPECT_EQ(headers["grpc-timeout"], "180000u");
  restate_grpc_timeout(headers, now - 1ms, now);
  EXPECT_EQ(headers["grpc-timeout"], "0n");  // passed: the service may refuse at once
  EXPECT_EQ(std::distance(headers.begin(), headers.end()), 1);
}

TEST(RestateGrpcTimeout, ARequestWithoutTheFieldGetsNone) {
  Fields headers;
  const policy::TimePoint now{std::chrono::seconds(100)};
  restate_grpc_timeout(headers, now + 1s, now);
  EXPECT_EQ(headers.find("grpc-timeout"), headers.end());
}

}  // namespace
}  // namespace levee::http
