#include "proxy/http/exchange_outcome.h"

#include "proxy/policy/grpc_status.h"

namespace levee::http {

policy::Outcome outcome_of(const ExchangeResult& result) {
  switch (result.error) {
    case ExchangeError::none:
      // A gRPC service says "overloaded" in grpc-status, under HTTP 200: RESOURCE_EXHAUSTED
      // (its own limiter or quota shed the call) and UNAVAILABLE (it is refusing work) count as
      // drops, as 429 and 5xx do, so the limit backs off. Other codes are the call's own
      // outcome (NOT_FOUND, INVALID_ARGUMENT, ...): the service did its work, a success.
      if (result.grpc_status && (*result.grpc_status == static_cast<unsigned>(policy::GrpcStatus::resource_exhausted) ||
                                 *result.grpc_status == static_cast<unsigned>(policy::GrpcStatus::unavailable)))
        return policy::Outcome::dropped;
      return result.status >= 500 || result.status == 429 ? policy::Outcome::dropped : policy::Outcome::success;
    case ExchangeError::upstream_timeout:
      return policy::Outcome::abandoned;  // levee gave up waiting, as a caller would have
    case ExchangeError::connect_refused:
    case ExchangeError::connect_timeout:
    case ExchangeError::upstream_reset:
    case ExchangeError::upstream_protocol:
      return policy::Outcome::dropped;
    case ExchangeError::pool_exhausted:
    case ExchangeError::request_too_large:
    case ExchangeError::client_gone:
    case ExchangeError::client_too_slow:  // the client's pace, not the service's: no sample
    case ExchangeError::upstream_tls:     // a certificate or protocol mismatch: not the service's load
      break;
  }
  return policy::Outcome::ignored;
}

bool is_abandoned(const ExchangeResult& result, bool past_deadline) {
  if (result.abandoned) return true;
  return past_deadline && (result.error == ExchangeError::none || result.error == ExchangeError::client_gone);
}

}  // namespace levee::http
