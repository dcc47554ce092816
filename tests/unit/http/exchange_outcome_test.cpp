// What an exchange tells the limit: statuses, errors, gRPC's overload codes under HTTP 200, and
// when its work reached nobody.
#include <gtest/gtest.h>

#include "proxy/http/exchange_outcome.h"

namespace levee::http {
namespace {

ExchangeResult answered(unsigned status, std::optional<unsigned> grpc_status = std::nullopt) {
  ExchangeResult result;
  result.status = status;
  result.grpc_status = grpc_status;
  return result;
}

TEST(ExchangeOutcome, HttpStatusesAsBefore) {
  EXPECT_EQ(outcome_of(answered(200)), policy::Outcome::success);
  EXPECT_EQ(outcome_of(answered(404)), policy::Outcome::success);
  EXPECT_EQ(outcome_of(answered(429)), policy::Outcome::dropped);
  EXPECT_EQ(outcome_of(answered(503)), policy::Outcome::dropped);
}

TEST(ExchangeOutcome, AGrpcServiceSayingItIsOverloadedIsADrop) {
  EXPECT_EQ(outcome_of(answered(200, 8)), policy::Outcome::dropped);   // RESOURCE_EXHAUSTED
  EXPECT_EQ(outcome_of(answered(200, 14)), policy::Outcome::dropped);  // UNAVAILABLE
}

TEST(ExchangeOutcome, OtherGrpcStatusesAreTheCallsOwnResult) {
  EXPECT_EQ(outcome_of(answered(200, 0)), policy::Outcome::success);   // OK
  EXPECT_EQ(outcome_of(answered(200, 5)), policy::Outcome::success);   // NOT_FOUND
  EXPECT_EQ(outcome_of(answered(200, 3)), policy::Outcome::success);   // INVALID_ARGUMENT
  EXPECT_EQ(outcome_of(answered(200, 12)), policy::Outcome::success);  // UNIMPLEMENTED
}

TEST(ExchangeOutcome, ErrorsAsBefore) {
  ExchangeResult result;
  result.error = ExchangeError::upstream_reset;
  EXPECT_EQ(outcome_of(result), policy::Outcome::dropped);
  result.error = ExchangeError::upstream_timeout;
  EXPECT_EQ(outcome_of(result), policy::Outcome::abandoned);
  result.error = ExchangeError::client_gone;
  EXPECT_EQ(outcome_of(result), policy::Outcome::ignored);
  result.error = ExchangeError::upstream_tls;
  EXPECT_EQ(outcome_of(result), policy::Outcome::ignored);
}

// Work that reached nobody: a caller that left while the service worked, an answer after the
// deadline, and an answer that could not be delivered after the deadline because its caller had
// gone. Before the deadline, a client that leaves after its answer was sent is its own business.
TEST(ExchangeOutcome, WorkThatReachedNobodyIsAbandoned) {
  ExchangeResult left;
  left.abandoned = true;
  left.error = ExchangeError::client_gone;
  EXPECT_TRUE(is_abandoned(left, /*past_deadline=*/false));

  EXPECT_FALSE(is_abandoned(answered(200), false));
  EXPECT_TRUE(is_abandoned(answered(200), true));

  ExchangeResult gone = answered(200);
  gone.error = ExchangeError::client_gone;
  EXPECT_TRUE(is_abandoned(gone, true));
  EXPECT_FALSE(is_abandoned(gone, false));

  ExchangeResult timed_out;
  timed_out.error = ExchangeError::upstream_timeout;  // not answered: outcome_of's abandoned sample
  EXPECT_FALSE(is_abandoned(timed_out, true));
}

}  // namespace
}  // namespace levee::http
