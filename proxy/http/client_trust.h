#pragma once
// The trust boundary: what a request's sender may claim about itself, settled once per request,
// right after routing, before anything else reads its headers.
//
// The rule for every header levee reads: a client may make itself cheaper to shed, never dearer.
// - priority (`request_headers.priority`): lowering the route's class is honoured from anyone;
//   raising it only from a trusted sender (`priority_trust`: a peer in `peers`, or a request
//   carrying the shared secret). A claim levee does not honour is replaced by the class levee
//   applies, so neither its own classifier nor the service behind it believes the claim.
// - the shared-secret header (`priority_trust.secret_header`): always removed; the service never
//   sees it, matched or not.
// - deadline, retry marker, idempotency key: honoured from anyone; why each can only make a
//   request cheaper is in request_class.h.
// - forwarding headers (X-Forwarded-For, ...): believed only from `trusted_proxies`; rewritten
//   by prepare_upstream_request (header_hygiene.h) with the verdict returned here.

#include <optional>

#include "proxy/config/config.h"
#include "proxy/http/header_hygiene.h"
#include "proxy/policy/ip_address.h"

namespace levee::http {

struct ClientTrust {
  bool trusted_proxy = false;       // the peer is in `trusted_proxies`
  bool may_raise_priority = false;  // the priority header may ask for more than the route's class
};

// `peer` is the connection's remote address (none when unknown: trusted for nothing). Removes the
// secret header and rewrites a priority claim the sender may not make, in `request`.
ClientTrust apply_client_trust(RequestHeader& request, const std::optional<policy::IpAddress>& peer,
                               const config::Config& config, const config::RouteConfig& route);

}  // namespace levee::http
