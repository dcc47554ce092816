#pragma once
// What an exchange says about the service's health, for its admission group's limit
// algorithm: the rules the permit's release reads (request_pipeline.cpp). An exchange whose
// work reached nobody is abandoned, whatever the service answered; the rest is outcome_of.

#include "proxy/http/exchange_error.h"
#include "proxy/policy/ticket.h"

namespace levee::http {

policy::Outcome outcome_of(const ExchangeResult& result);

// Whether the exchange's work reached nobody (levee_abandoned_total, and an abandoned sample
// for the limit): its caller left while it was at the service, or it ended after the caller's
// deadline, answered or no longer deliverable because the caller had gone by then.
bool is_abandoned(const ExchangeResult& result, bool past_deadline);

}  // namespace levee::http
