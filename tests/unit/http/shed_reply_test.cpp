#include "proxy/http/shed_reply.h"

#include <gtest/gtest.h>

#include "tests/fakes/fake_random.h"

namespace levee::http {
namespace {
using namespace std::chrono_literals;
using policy::ShedReason;

std::string header(const LocalReply& reply, std::string_view name) {
  for (const auto& [key, value] : reply.headers)
    if (key == name) return value;
  return {};
}

TEST(ShedReply, BrowsersGetTheSorryPageAndApisGetProblemJson) {
  EXPECT_TRUE(prefers_html("text/html,application/xhtml+xml,*/*;q=0.8"));
  EXPECT_TRUE(prefers_html("TEXT/HTML"));
  EXPECT_FALSE(prefers_html("application/json"));
  EXPECT_FALSE(prefers_html("*/*"));
  EXPECT_FALSE(prefers_html(""));

  const ShedReplyStyle style{429, "<html>sorry</html>"};
  const LocalReply page = make_shed_reply(ShedReason::queue_full, 3s, true, style, false);
  EXPECT_EQ(page.content_type, "text/html; charset=utf-8");
  EXPECT_EQ(page.body, "<html>sorry</html>");

  const LocalReply problem = make_shed_reply(ShedReason::queue_full, 3s, false, style, false);
  EXPECT_EQ(problem.content_type, "application/problem+json");
  EXPECT_NE(problem.body.find(R"("status":429)"), std::string::npos) << problem.body;
  EXPECT_NE(problem.body.find(R"("reason":"queue_full")"), std::string::npos);
  EXPECT_NE(problem.body.find(R"("retry_after":3)"), std::string::npos);
}

TEST(ShedReply, CarriesRetryAfterTheReasonAndTheOverloadSignal) {
  const LocalReply reply = make_shed_reply(ShedReason::retry_budget, 7s, false, {503, {}}, true);
  EXPECT_EQ(reply.status, boost::beast::http::status::service_unavailable);
  EXPECT_EQ(header(reply, "Retry-After"), "7");
  EXPECT_EQ(header(reply, "levee-shed"), "retry_budget");
  EXPECT_EQ(header(reply, "levee-overloaded"), "true");
  EXPECT_TRUE(reply.close_connection);
}

TEST(ShedReply, DrainingIs503AndClosesWhateverTheShedStatus) {
  const LocalReply reply = make_shed_reply(ShedReason::draining, 1s, false, {429, {}}, false);
  EXPECT_EQ(reply.status, boost::beast::http::status::service_unavailable);
  EXPECT_TRUE(reply.close_connection);
  const LocalReply ordinary = make_shed_reply(ShedReason::queue_full, 1s, false, {429, {}}, false);
  EXPECT_EQ(ordinary.status, boost::beast::http::status::too_many_requests);
  EXPECT_FALSE(ordinary.close_connection);
}

TEST(ShedReply, WithoutASorryPageABuiltInOneIsUsed) {
  const LocalReply page = make_shed_reply(ShedReason::over_limit, 1s, true, {429, {}}, false);
  EXPECT_NE(page.body.find("try again"), std::string::npos);
}

TEST(ShedReply, RetryAfterIsStretchedByUpToHalfAndNeverBelowOneSecond) {
  testing::FakeRandom random;
  random.set_constant(0.0);
  EXPECT_EQ(jittered_retry_after(2s, random), 2s);
  random.set_constant(0.999);
  EXPECT_EQ(jittered_retry_after(2s, random), 3s);
  random.set_constant(0.5);
  EXPECT_EQ(jittered_retry_after(4s, random), 5s);
  EXPECT_EQ(jittered_retry_after(0s, random), 1s);
  EXPECT_EQ(jittered_retry_after(10ms, random), 1s);
}

}  // namespace
}  // namespace levee::http
