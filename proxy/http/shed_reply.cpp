#include "proxy/http/shed_reply.h"

#include "proxy/policy/ascii.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace levee::http {
namespace bh = boost::beast::http;
using policy::ShedReason;

namespace {

constexpr double max_retry_after_stretch = 0.5;

// One sentence per reason, for the problem's `detail`: what happened, in the caller's terms.
std::string_view explain(ShedReason reason) {
  switch (reason) {
    case ShedReason::over_limit: return "The service is at its concurrency limit.";
    case ShedReason::queue_full: return "The service is at its limit and its waiting line is full.";
    case ShedReason::queue_timeout: return "The request waited for the service longer than the maximum wait.";
    case ShedReason::stale: return "The service is overloaded; older waiting requests are dropped first.";
    case ShedReason::client_gone: return "The client went away while the request waited.";
    case ShedReason::retry_shed: return "Retries are not accepted while the service is overloaded.";
    case ShedReason::retry_budget: return "The retry budget of this service is spent.";
    case ShedReason::deadline: return "The request could not start before its deadline.";
    case ShedReason::priority: return "Requests of higher priority took the service's capacity.";
    case ShedReason::draining: return "This instance is shutting down.";
    case ShedReason::fair_share: return "The service is busy and this client already has more than its fair share of it.";
    case ShedReason::flow_cap: return "This client has as many requests in progress as it is allowed.";
  }
  return "The service is overloaded.";
}


}  // namespace

bool prefers_html(std::string_view accept) { return ascii_icontains(accept, "text/html"); }

std::chrono::seconds jittered_retry_after(policy::Duration suggested, policy::Random& random) {
  const double seconds = policy::to_seconds(suggested) * random.uniform(1.0, 1.0 + max_retry_after_stretch);
  return std::chrono::seconds(std::max<long long>(1, static_cast<long long>(std::ceil(seconds))));
}

LocalReply make_shed_reply(ShedReason reason, std::chrono::seconds retry_after, bool html,
                           const ShedReplyStyle& style, bool close_connection) {
  LocalReply reply;
  // A draining instance is going away, not rate-limiting: 503 and a closed connection send the
  // caller to another instance, whatever status ordinary sheds use.
  const bool draining = reason == ShedReason::draining;
  reply.status = style.status == 503 || draining ? bh::status::service_unavailable : bh::status::too_many_requests;
  reply.close_connection = close_connection || draining;
  reply.headers.emplace_back("Retry-After", std::to_string(retry_after.count()));
  reply.headers.emplace_back(std::string(shed_reason_header), std::string(policy::name(reason)));
  reply.headers.emplace_back(std::string(overloaded_header), "true");
  reply.headers.emplace_back("Cache-Control", "no-store");
  if (html) {
    reply.content_type = "text/html; charset=utf-8";
    reply.body = style.sorry_html.empty()
                     ? std::string("<!doctype html><title>Busy</title><p>We are busy right now. Please try again shortly.</p>\n")
                     : std::string(style.sorry_html);
    return reply;
  }
  reply.content_type = "application/problem+json";
  reply.body = fmt::format(
      R"({{"type":"about:blank","title":"{}",)"
      R"("status":{},"detail":"{}","reason":"{}","retry_after":{}}})"
      "\n",
      reply.status == bh::status::service_unavailable ? "Service Unavailable" : "Too Many Requests",
      static_cast<unsigned>(reply.status), explain(reason), policy::name(reason), retry_after.count());
  return reply;
}

}  // namespace levee::http
