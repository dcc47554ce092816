#include "proxy/http/request_class.h"

#include <gtest/gtest.h>

#include "proxy/config/header_duration.h"

namespace levee::http {
namespace {
using namespace std::chrono_literals;
namespace bh = boost::beast::http;

struct RequestClassTest : ::testing::Test {
  bh::fields headers;
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

}  // namespace
}  // namespace levee::http
