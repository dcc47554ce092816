#pragma once
// Pure functions over parsed HTTP headers: the checks that keep request smuggling and open-proxy
// use out, and the rewriting every forwarding proxy owes (hop-by-hop headers, X-Forwarded-*,
// Via). No I/O: the session calls these between reading a header and forwarding it.

#include "proxy/http/added_fields.h"

#include <boost/beast/http/fields.hpp>
#include <boost/beast/http/message.hpp>

#include <optional>
#include <string_view>

namespace levee::http {

// RequestHeader, ResponseHeader: field_pool.h

// Why a request is refused before it reaches the service. Every refusal closes the connection:
// after a framing disagreement the rest of the byte stream cannot be trusted.
struct RequestProblem {
  boost::beast::http::status status;
  std::string_view detail;  // static text, safe to put in a reply body
};

// Validates framing, version and target, rewrites an absolute-form target whose authority is
// the request's own Host into origin-form, and normalises the path (policy/request_path.h): what
// is routed is what is forwarded. Returns the first problem found.
std::optional<RequestProblem> check_request(RequestHeader& request);

struct ForwardingFacts {
  std::string_view client_address;  // peer IP, no port
  std::string_view protocol;        // "http" or "https" (X-Forwarded-Proto)
  bool trusted_proxy = false;       // the peer is in `trusted_proxies`: its forwarding headers are believed
  // Host for a request that has none (HTTP/1.0 allows that; the HTTP/1.1 levee speaks
  // upstream does not): the upstream's own "host:port".
  std::string_view upstream_authority;
};

// Request towards the service: strips hop-by-hop headers (Connection and the fields it names,
// Keep-Alive, Proxy-*, TE, Trailer, Upgrade), adds Via, and speaks HTTP/1.1 keep-alive upstream.
// A field that is new goes into `added` (added_fields.h: written after the header's own); one
// the request already has is rewritten in place (a trusted proxy's X-Forwarded-For, Via).
// Forwarding headers, by who the peer is:
// - a trusted proxy: X-Forwarded-For gets the peer appended, X-Forwarded-Proto is kept (set when
//   absent), Forwarded, X-Real-IP and X-Forwarded-{Host,Port,Prefix} pass untouched;
// - anyone else: they are what the client chose to say about itself, so X-Forwarded-For becomes
//   the peer address alone, X-Forwarded-Proto levee's own protocol, and the rest are removed.
void prepare_upstream_request(RequestHeader& request, const ForwardingFacts& facts, AddedFields& added);

// Response towards the client: strips hop-by-hop headers and appends Via. The caller decides
// keep-alive for the client connection afterwards.
void prepare_downstream_response(ResponseHeader& response);

}  // namespace levee::http
