// gRPC's side of levee's answers: grpc-status for sheds and failures, grpc-message and
// grpc-retry-pushback-ms values, and the grpc-timeout field both ways.

#include <gtest/gtest.h>

#include <chrono>

#include "proxy/policy/grpc_status.h"
#include "proxy/policy/grpc_timeout.h"

namespace levee::policy {
namespace {

using namespace std::chrono_literals;

TEST(GrpcStatus, SheddingForLoadIsResourceExhausted) {
  for (const ShedReason reason : {ShedReason::over_limit, ShedReason::queue_full, ShedReason::queue_timeout,
                                  ShedReason::stale, ShedReason::retry_shed, ShedReason::retry_budget,
                                  ShedReason::priority, ShedReason::fair_share, ShedReason::flow_cap}) {
    EXPECT_EQ(grpc_status_for(reason), GrpcStatus::resource_exhausted) << name(reason);
  }
}

TEST(GrpcStatus, DrainingIsUnavailableADeadlineIsDeadlineExceededAGoneClientIsCancelled) {
  EXPECT_EQ(grpc_status_for(ShedReason::draining), GrpcStatus::unavailable);
  EXPECT_EQ(grpc_status_for(ShedReason::deadline), GrpcStatus::deadline_exceeded);
  EXPECT_EQ(grpc_status_for(ShedReason::client_gone), GrpcStatus::cancelled);
}

TEST(GrpcStatus, LocalFailures) {
  EXPECT_EQ(grpc_status_for(LocalFailure::upstream_unavailable), GrpcStatus::unavailable);
  EXPECT_EQ(grpc_status_for(LocalFailure::draining), GrpcStatus::unavailable);
  EXPECT_EQ(grpc_status_for(LocalFailure::upstream_timeout), GrpcStatus::deadline_exceeded);
  EXPECT_EQ(grpc_status_for(LocalFailure::grpc_unsupported), GrpcStatus::unimplemented);
}

TEST(GrpcStatus, HttpStatusesMapAsGrpcClientsMapThem) {
  EXPECT_EQ(grpc_status_for_http(400), GrpcStatus::internal_error);
  EXPECT_EQ(grpc_status_for_http(401), GrpcStatus::unauthenticated);
  EXPECT_EQ(grpc_status_for_http(403), GrpcStatus::permission_denied);
  EXPECT_EQ(grpc_status_for_http(404), GrpcStatus::unimplemented);
  EXPECT_EQ(grpc_status_for_http(429), GrpcStatus::unavailable);
  EXPECT_EQ(grpc_status_for_http(503), GrpcStatus::unavailable);
  EXPECT_EQ(grpc_status_for_http(500), GrpcStatus::unknown);
}

TEST(GrpcStatus, FieldValues) {
  EXPECT_EQ(grpc_status_value(GrpcStatus::resource_exhausted), "8");
  EXPECT_EQ(grpc_status_value(GrpcStatus::unavailable), "14");
  EXPECT_EQ(grpc_status_value(GrpcStatus::deadline_exceeded), "4");
  EXPECT_EQ(grpc_message_value("over limit"), "over limit");
  EXPECT_EQ(grpc_message_value("50% busy\n"), "50%25 busy%0A");
  EXPECT_EQ(grpc_message_value("caf\xc3\xa9"), "caf%C3%A9");
}

TEST(GrpcStatus, RetryPushbackIsWholeMillisecondsRoundedUp) {
  EXPECT_EQ(grpc_retry_pushback_value(1500ms), "1500");
  EXPECT_EQ(grpc_retry_pushback_value(1500us), "2");
  EXPECT_EQ(grpc_retry_pushback_value(0s), "0");
  EXPECT_EQ(grpc_retry_pushback_value(-3s), "0");
  EXPECT_EQ(grpc_no_retry_pushback, "-1");
}

TEST(GrpcStatus, GrpcContentTypes) {
  EXPECT_TRUE(is_grpc_content_type("application/grpc"));
  EXPECT_TRUE(is_grpc_content_type("application/grpc+proto"));
  EXPECT_TRUE(is_grpc_content_type("Application/GRPC; charset=utf-8"));
  EXPECT_FALSE(is_grpc_content_type("application/grpc-web"));
  EXPECT_FALSE(is_grpc_content_type("application/grpcx"));
  EXPECT_FALSE(is_grpc_content_type("application/json"));
  EXPECT_FALSE(is_grpc_content_type(""));
}

TEST(GrpcTimeout, EveryUnit) {
  EXPECT_EQ(parse_grpc_timeout("1H"), Duration(1h));
  EXPECT_EQ(parse_grpc_timeout("5M"), Duration(5min));
  EXPECT_EQ(parse_grpc_timeout("2S"), Duration(2s));
  EXPECT_EQ(parse_grpc_timeout("100m"), Duration(100ms));
  EXPECT_EQ(parse_grpc_timeout("250u"), Duration(250us));
  EXPECT_EQ(parse_grpc_timeout("7n"), Duration(7ns));
  EXPECT_EQ(parse_grpc_timeout("0m"), Duration::zero());
  EXPECT_EQ(parse_grpc_timeout("99999999S"), Duration(99'999'999s));  // eight digits
  EXPECT_EQ(parse_grpc_timeout("00000010S"), Duration(10s));
}

TEST(GrpcTimeout, BadInputIsRefused) {
  for (const std::string_view bad : {"", "S", "10", "123456789S", "10s", "10h", "10x", "-1S", "+1S", " 1S", "1S ",
                                     "1.5S", "1 S", "1SS", "S1", "0x10S"}) {
    EXPECT_EQ(parse_grpc_timeout(bad), std::nullopt) << '"' << bad << '"';
  }
}

TEST(GrpcTimeout, HoursPastWhatADurationHoldsSaturate) {
  EXPECT_EQ(parse_grpc_timeout("99999999H"), Duration::max());
  EXPECT_EQ(parse_grpc_timeout("2000000H"), Duration(2'000'000h));  // ~228 years still fits
}

TEST(GrpcTimeout, FormattingPicksTheFinestUnitThatFitsAndRoundsUp) {
  EXPECT_EQ(format_grpc_timeout(50ms), "50000000n");
  EXPECT_EQ(format_grpc_timeout(2s), "2000000u");
  EXPECT_EQ(format_grpc_timeout(2s + 1ns), "2000001u");  // rounded up, never shorter
  EXPECT_EQ(format_grpc_timeout(30min), "1800000m");
  EXPECT_EQ(format_grpc_timeout(48h), "172800S");
  EXPECT_EQ(format_grpc_timeout(0s), "0n");
  EXPECT_EQ(format_grpc_timeout(-1s), "0n");
  for (const Duration d : {Duration(1ns), Duration(123456789ns), Duration(7s), Duration(90min), Duration(1000h)}) {
    const auto back = parse_grpc_timeout(format_grpc_timeout(d));
    ASSERT_TRUE(back.has_value());
    EXPECT_GE(*back, d);
    // A coarser unit is chosen only when the finer one needs 9 digits, so the count has at
    // least 5 digits (units step by 1000 or 60): rounding up adds less than 1/10^5.
    EXPECT_LE(*back - d, d / 10'000 + Duration(1ns));
  }
}

}  // namespace
}  // namespace levee::policy
