#pragma once
// Everything levee decides from a request's header alone, as pure functions over bytes and
// parsed fields (no sockets, no clock): reading the header within its size budget, the checks,
// the route, the sender's trust, and the request's class and deadline. The session and the
// request pipeline call exactly these, and so does the fuzzer (tests/fuzz/request_fuzzer.cpp),
// so what is fuzzed is what serves.

#include "proxy/config/config.h"
#include "proxy/http/client_trust.h"
#include "proxy/http/field_pool.h"
#include "proxy/http/local_reply.h"
#include "proxy/policy/clock.h"
#include "proxy/policy/ip_address.h"
#include "proxy/policy/priority.h"
#include "proxy/policy/router.h"

#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/parser.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>

namespace levee::http {


// What one request header may still take of listener.max_header_bytes.
struct HeaderBudget {
  std::uint32_t limit = 0;
  std::uint64_t consumed = 0;  // bytes of this header parsed so far
};

// Parses what `buffer` holds into `parser` and consumes it. need_more: read more into the
// buffer and call again; header_limit: over the budget; any other error: malformed; none: the
// header is complete. Beast's own header_limit (1.81) only bounds the bytes it has not parsed
// yet: fields it already consumed stop counting, so a header of thousands of small fields
// arriving in pieces grew without bound. Here each put() gets only what is left of the budget.
boost::beast::error_code parse_request_header(RequestParser& parser, boost::beast::flat_buffer& buffer,
                                              HeaderBudget& budget);

// The decisions made from a complete header before any body byte is read.
struct HeadDecision {
  std::optional<LocalReply> refusal;  // answer this and close; nothing else applies
  std::optional<std::size_t> route;   // index into config.routes (and the runtime's routes)
  ClientTrust trust;
};

// check (framing, version, target: rewrites the target to its normal form), route, trust
// (strips the secret, rewrites a priority claim the sender may not make). `body_pending`: the
// body is not read yet, so a refusal must close the connection.
HeadDecision examine_request_head(RequestHeader& request, bool body_pending, const policy::Router& router,
                                  const config::Config& config, const std::optional<policy::IpAddress>& peer);

// What admission reads about a request: its class and, when its caller said or its route
// caps it, the moment past which an answer reaches nobody.
struct AdmissionFacts {
  policy::Priority priority = policy::Priority::normal;
  bool is_retry = false;
  std::optional<policy::TimePoint> deadline;
};

// After examine_request_head (its trust rewrote what the priority header may say).
AdmissionFacts admission_facts(const RequestHeader& request, const config::RouteConfig& route,
                               const config::Config& config, policy::TimePoint arrival);

}  // namespace levee::http
