#include "proxy/http/access_log_line.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <spdlog/logger.h>
#include <spdlog/sinks/ostream_sink.h>

#include <sstream>

namespace levee::http {
namespace {

using namespace std::chrono_literals;
using config::AccessLogFormat;

RequestRecord shed_request() {
  RequestRecord record;
  record.request_line = "GET /api HTTP/1.1";
  record.route = "api";
  record.status = 503;
  record.queue_wait = 2500us;
  record.shed = policy::ShedReason::queue_timeout;
  record.request_body_bytes = 12;
  record.response_body_bytes = 34;
  record.request_id = RequestId("req-1");
  return record;
}

RequestRecord retried_request() {
  RequestRecord record;
  record.request_line = "GET /status?code=502 HTTP/1.1";
  record.route = "api";
  record.status = 502;
  record.attempts = 3;
  record.retry = policy::RetryOutcome::exhausted;
  record.request_id = RequestId("0123456789abcdef0123456789abcdef");
  return record;
}

TEST(AccessLogLine, TextIsTheLineItAlwaysWasWithTheRequestIdLast) {
  EXPECT_EQ(access_log_line(shed_request(), 12345us, "10.0.0.1", AccessLogFormat::text),
            "10.0.0.1 \"GET /api HTTP/1.1\" 503 12 34 12.345ms route=api queue=2.500ms shed=" +
                std::string(policy::name(policy::ShedReason::queue_timeout)) +
                " error=none attempts=0 retry=- request_id=req-1");
  EXPECT_NE(access_log_line(retried_request(), 1ms, "10.0.0.1", AccessLogFormat::text)
                .find("attempts=3 retry=exhausted request_id=0123456789abcdef0123456789abcdef"),
            std::string::npos);
}

TEST(AccessLogLine, JsonHasEveryFieldOfTheTextLine) {
  const auto json = nlohmann::json::parse(access_log_line(shed_request(), 12345us, "10.0.0.1", AccessLogFormat::json));
  EXPECT_EQ(json["client"], "10.0.0.1");
  EXPECT_EQ(json["request"], "GET /api HTTP/1.1");
  EXPECT_EQ(json["status"], 503);
  EXPECT_EQ(json["request_bytes"], 12);
  EXPECT_EQ(json["response_bytes"], 34);
  EXPECT_DOUBLE_EQ(json["duration_ms"].get<double>(), 12.345);
  EXPECT_EQ(json["route"], "api");
  EXPECT_DOUBLE_EQ(json["queue_ms"].get<double>(), 2.5);
  EXPECT_EQ(json["shed"], std::string(policy::name(policy::ShedReason::queue_timeout)));
  EXPECT_EQ(json["error"], "none");
  EXPECT_EQ(json["attempts"], 0);
  EXPECT_TRUE(json["retry"].is_null());
  EXPECT_EQ(json["request_id"], "req-1");
  EXPECT_EQ(json.size(), 13u);

  const auto retried = nlohmann::json::parse(access_log_line(retried_request(), 1ms, "::1", AccessLogFormat::json));
  EXPECT_EQ(retried["retry"], "exhausted");
  EXPECT_TRUE(retried["shed"].is_null());
  EXPECT_EQ(retried["attempts"], 3);
}

TEST(AccessLogLine, JsonSurvivesAHostileRequestLine) {
  RequestRecord record;
  record.request_line = std::string("GET /a\"b\\c\x01\x1f\n\r\t/\xC3\x28/\xFF\xFE/\xE2\x82 HTTP/1.1");
  record.status = 404;
  const std::string line = access_log_line(record, 1ms, "10.0.0.1", AccessLogFormat::json);
  EXPECT_EQ(line.find('\n'), std::string::npos) << "one line per request";
  EXPECT_EQ(line.find('\r'), std::string::npos);
  const auto json = nlohmann::json::parse(line);  // valid JSON, valid UTF-8
  const std::string request = json["request"];
  EXPECT_EQ(request.substr(0, 16), "GET /a\"b\\c\x01\x1f\n\r\t/");
  EXPECT_NE(request.find("\xEF\xBF\xBD"), std::string::npos) << "invalid UTF-8 becomes U+FFFD";
  EXPECT_TRUE(json["route"].is_null()) << "no route matched";
}

// The logger's pattern and the message together make one JSON object with a time first.
TEST(AccessLogLine, JsonPatternAddsTheTimeAndStaysOneObject) {
  std::ostringstream out;
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_st>(out);
  spdlog::logger logger("test", sink);
  logger.set_pattern(std::string(access_log_pattern(AccessLogFormat::json)));
  const std::string line = access_log_line(shed_request(), 1ms, "10.0.0.1", AccessLogFormat::json);
  logger.info("{}", access_log_message(line, AccessLogFormat::json));
  const std::string written = out.str();
  ASSERT_FALSE(written.empty());
  EXPECT_EQ(written.back(), '\n');
  const auto json = nlohmann::ordered_json::parse(written);
  EXPECT_TRUE(json["time"].is_string());
  EXPECT_EQ(json.begin().key(), "time") << written;
  EXPECT_EQ(json["request_id"], "req-1");
}

}  // namespace
}  // namespace levee::http
