#pragma once
// What an exchange says about the service's health, for its admission group's limit
// algorithm: the one rule the permit's release reads (request_pipeline.cpp). An answer its
// caller did not wait for is decided there (abandoned); this is the rest.

#include "proxy/http/exchange_error.h"
#include "proxy/policy/ticket.h"

namespace levee::http {

policy::Outcome outcome_of(const ExchangeResult& result);

}  // namespace levee::http
