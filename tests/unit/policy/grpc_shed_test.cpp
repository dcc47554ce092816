#include "proxy/policy/grpc_shed.h"

#include <gtest/gtest.h>

namespace levee::policy {
namespace {

using std::chrono::milliseconds;

TEST(GrpcShedAnswer, ALoadShedIsResourceExhaustedWithThePushback) {
  for (const ShedReason reason : {ShedReason::over_limit, ShedReason::queue_full, ShedReason::queue_timeout,
                                  ShedReason::stale, ShedReason::retry_shed, ShedReason::retry_budget,
                                  ShedReason::priority, ShedReason::fair_share, ShedReason::flow_cap}) {
    const GrpcShedAnswer answer = grpc_shed_answer(reason, 429, milliseconds(2000));
    EXPECT_EQ(answer.status, GrpcStatus::resource_exhausted) << name(reason);
    EXPECT_EQ(answer.pushback, "2000") << name(reason);
    EXPECT_NE(answer.message.find(name(reason)), std::string::npos) << answer.message;
  }
}

TEST(GrpcShedAnswer, DrainingIsUnavailable) {
  EXPECT_EQ(grpc_shed_answer(ShedReason::draining, 503, milliseconds(1000)).status, GrpcStatus::unavailable);
  EXPECT_EQ(grpc_shed_answer(ShedReason::draining, 429, milliseconds(1000)).status, GrpcStatus::unavailable);
}

TEST(GrpcShedAnswer, WhereHttpWouldAnswer503ItIsUnavailable) {
  EXPECT_EQ(grpc_shed_answer(ShedReason::over_limit, 503, milliseconds(1000)).status, GrpcStatus::unavailable);
}

TEST(GrpcShedAnswer, APassedDeadlineIsDeadlineExceeded) {
  EXPECT_EQ(grpc_shed_answer(ShedReason::deadline, 429, milliseconds(1000)).status, GrpcStatus::deadline_exceeded);
}

TEST(GrpcShedAnswer, TheMessageIsAValidFieldValue) {
  for (const ShedReason reason : all_shed_reasons) {
    for (const char c : grpc_shed_answer(reason, 429, milliseconds(1)).message) {
      EXPECT_TRUE(c >= 0x20 && c <= 0x7e) << name(reason);
    }
  }
}

}  // namespace
}  // namespace levee::policy
