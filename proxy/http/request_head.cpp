#include "proxy/http/request_head.h"

#include "proxy/http/header_hygiene.h"
#include "proxy/http/request_class.h"

#include <boost/beast/http/error.hpp>

namespace levee::http {
namespace bh = boost::beast::http;

boost::beast::error_code parse_request_header(RequestParser& parser, boost::beast::flat_buffer& buffer,
                                              HeaderBudget& budget) {
  if (buffer.size() == 0) return bh::error::need_more;
  boost::beast::error_code ec;
  parser.header_limit(static_cast<std::uint32_t>(budget.limit - budget.consumed));
  const std::size_t used = parser.put(buffer.data(), ec);
  buffer.consume(used);
  budget.consumed += used;
  // One put() may take a start line and fields each up to the limit: count them together.
  if (budget.consumed > budget.limit) return bh::error::header_limit;
  return ec;  // need_more, done, or a parse error
}

HeadDecision examine_request_head(RequestHeader& request, bool body_pending, const policy::Router& router,
                                  const config::Config& config, const std::optional<policy::IpAddress>& peer) {
  HeadDecision decision;
  if (auto problem = check_request(request)) {
    decision.refusal = make_error_reply(problem->status, problem->detail, true);
    return decision;
  }
  decision.route = router.match(request[bh::field::host], request.target());
  if (!decision.route) {
    decision.refusal = make_error_reply(bh::status::not_found, "no route", body_pending);
    return decision;
  }
  decision.trust = apply_client_trust(request, peer, config, config.routes[*decision.route]);
  return decision;
}

AdmissionFacts admission_facts(const RequestHeader& request, const config::RouteConfig& route,
                               const config::Config& config, policy::TimePoint arrival) {
  const RequestClass request_class = classify_request(request, route, config.request_headers);
  AdmissionFacts facts;
  facts.priority = request_class.priority;
  facts.is_retry = request_class.is_retry;
  if (request_class.patience) facts.deadline = arrival + *request_class.patience;
  return facts;
}

}  // namespace levee::http
