#include "proxy/policy/grpc_shed.h"

#include <gtest/gtest.h>

namespace levee::policy {
namespace {

using std::chrono::milliseconds;

TEST(GrpcContentType, GrpcAndItsCodecsAreGrpc) {
  EXPECT_TRUE(is_grpc_content_type("application/grpc"));
  EXPECT_TRUE(is_grpc_content_type("application/grpc+proto"));
  EXPECT_TRUE(is_grpc_content_type("Application/GRPC+json"));
  EXPECT_TRUE(is_grpc_content_type("application/grpc; charset=utf-8"));
}

TEST(GrpcContentType, OtherTypesAreNot) {
  EXPECT_FALSE(is_grpc_content_type(""));
  EXPECT_FALSE(is_grpc_content_type("application/json"));
  EXPECT_FALSE(is_grpc_content_type("application/grpc-web"));
  EXPECT_FALSE(is_grpc_content_type("application/grpcx"));
  EXPECT_FALSE(is_grpc_content_type("application/grp"));
}

TEST(GrpcShedAnswer, ALoadShedIsResourceExhaustedWithThePushback) {
  for (const ShedReason reason : {ShedReason::over_limit, ShedReason::queue_full, ShedReason::queue_timeout,
                                  ShedReason::stale, ShedReason::retry_shed, ShedReason::retry_budget,
                                  ShedReason::priority, ShedReason::fair_share, ShedReason::flow_cap}) {
    const GrpcShedAnswer answer = grpc_shed_answer(reason, 429, milliseconds(2000));
    EXPECT_EQ(answer.status, grpc_code::resource_exhausted) << name(reason);
    EXPECT_EQ(answer.pushback_ms, 2000) << name(reason);
    EXPECT_NE(answer.message.find(name(reason)), std::string::npos) << answer.message;
  }
}

TEST(GrpcShedAnswer, DrainingIsUnavailable) {
  EXPECT_EQ(grpc_shed_answer(ShedReason::draining, 503, milliseconds(1000)).status, grpc_code::unavailable);
  EXPECT_EQ(grpc_shed_answer(ShedReason::draining, 429, milliseconds(1000)).status, grpc_code::unavailable);
}

TEST(GrpcShedAnswer, WhereHttpWouldAnswer503ItIsUnavailable) {
  EXPECT_EQ(grpc_shed_answer(ShedReason::over_limit, 503, milliseconds(1000)).status, grpc_code::unavailable);
}

TEST(GrpcShedAnswer, APassedDeadlineIsDeadlineExceeded) {
  EXPECT_EQ(grpc_shed_answer(ShedReason::deadline, 429, milliseconds(1000)).status, grpc_code::deadline_exceeded);
}

TEST(GrpcShedAnswer, TheMessageNeedsNoPercentEncoding) {
  for (const ShedReason reason : all_shed_reasons) {
    for (const char c : grpc_shed_answer(reason, 429, milliseconds(1)).message) {
      EXPECT_TRUE(c >= 0x20 && c <= 0x7e && c != '%') << name(reason);
    }
  }
}

}  // namespace
}  // namespace levee::policy
