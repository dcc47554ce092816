#include "proxy/http/header_hygiene.h"

#include "proxy/policy/ascii.h"
#include "proxy/policy/request_path.h"

#include <array>
#include <string>

namespace levee::http {
namespace bh = boost::beast::http;

namespace {

constexpr std::string_view via_value = "1.1 levee";
constexpr std::string_view x_forwarded_for = "X-Forwarded-For";
constexpr std::string_view x_forwarded_proto = "X-Forwarded-Proto";
// What a client could say about itself to a service that believes its proxy: who it is, which
// host, port and path prefix it asked for (services build redirects and absolute links from them).
constexpr std::array<std::string_view, 5> claims_about_the_client{
    "Forwarded", "X-Real-IP", "X-Forwarded-Host", "X-Forwarded-Port", "X-Forwarded-Prefix"};

// How often the fields that decide framing and routing occur, counted in one walk.
struct FramingCounts {
  std::size_t hosts = 0;
  std::size_t content_lengths = 0;
  std::size_t transfer_encodings = 0;
};

FramingCounts count_framing(const RequestHeader& request) {
  FramingCounts counts;
  for (const auto& field : request) {
    switch (field.name()) {
      case bh::field::host: ++counts.hosts; break;
      case bh::field::content_length: ++counts.content_lengths; break;
      case bh::field::transfer_encoding: ++counts.transfer_encodings; break;
      default: break;
    }
  }
  return counts;
}

// Which of the fields levee rewrites a header carries, found in one walk over its fields. A
// lookup by name walks Beast's tree with a case-insensitive compare at each step; one lookup
// per name levee might rewrite was about a tenth of the request path's instructions, and most
// headers carry none of them. A flag may be stale only in one direction (a field named by
// Connection was removed since): a rewrite that finds nothing costs a lookup, no harm.
struct Present {
  bool hop_by_hop = false;  // Connection, Keep-Alive, Proxy-*, TE, Trailer, Upgrade
  bool expect = false;
  bool via = false;
  bool host = false;
  bool x_forwarded_for = false;
  bool x_forwarded_proto = false;
  bool client_claims = false;  // any of claims_about_the_client
};

// The fields that describe one hop and never pass a proxy (RFC 9110 7.6.1), besides those a
// Connection header names.
bool is_hop_by_hop(bh::field name) {
  switch (name) {
    case bh::field::connection:
    case bh::field::keep_alive:
    case bh::field::proxy_connection:
    case bh::field::proxy_authorization:
    case bh::field::proxy_authenticate:
    case bh::field::te:
    case bh::field::trailer:
    case bh::field::upgrade: return true;
    default: return false;
  }
}

template <bool isRequest>
Present scan(const bh::header<isRequest, Fields>& header) {
  Present present;
  for (const auto& field : header) {
    if (is_hop_by_hop(field.name())) {
      present.hop_by_hop = true;
      continue;
    }
    switch (field.name()) {
      case bh::field::expect: present.expect = true; break;
      case bh::field::via: present.via = true; break;
      case bh::field::host: present.host = true; break;
      case bh::field::forwarded: present.client_claims = true; break;
      case bh::field::unknown: {  // the X-Forwarded-* family has no enum of its own
        const std::string_view name = field.name_string();
        if (ascii_iequals(name, x_forwarded_for)) {
          present.x_forwarded_for = true;
        } else if (ascii_iequals(name, x_forwarded_proto)) {
          present.x_forwarded_proto = true;
        } else {
          for (const std::string_view claim : claims_about_the_client)
            if (ascii_iequals(name, claim)) present.client_claims = true;
        }
        break;
      }
      default: break;
    }
  }
  return present;
}

// Connection: close, X-Secret -> also remove X-Secret (RFC 9110 7.6.1).
// One walk reads the Connection lists and erases every hop-by-hop field by position. A lookup
// by name (equal_range(connection)) walked Beast's tree with a case-insensitive compare at each
// step: 500 instructions a response, for the "Connection: keep-alive" nearly every service sends.
template <bool isRequest>
void strip_hop_by_hop(bh::header<isRequest, Fields>& header, const Present& present) {
  if (!present.hop_by_hop) return;
  std::vector<std::string> named;  // the tokens besides close and keep-alive: rare, so rarely allocated
  for (auto it = header.begin(); it != header.end();) {
    if (!is_hop_by_hop(it->name())) {
      ++it;
      continue;
    }
    if (it->name() == bh::field::connection) {
      std::string_view list = it->value();
      while (!list.empty()) {
        const auto comma = list.find(',');
        const std::string_view token = trim_ows(list.substr(0, comma));
        if (!token.empty() && !ascii_iequals(token, "close") && !ascii_iequals(token, "keep-alive"))
          named.emplace_back(token);
        list = comma == std::string_view::npos ? std::string_view{} : list.substr(comma + 1);
      }
    }
    it = header.erase(it);
  }
  for (const auto& name : named) {
    // Never let a Connection token remove framing: that is a desync waiting to happen.
    if (ascii_iequals(name, "content-length") || ascii_iequals(name, "transfer-encoding") ||
        ascii_iequals(name, "host"))
      continue;
    header.erase(name);
  }
}

std::optional<RequestProblem> check_framing(const RequestHeader& request, const FramingCounts& counts) {
  const std::size_t content_lengths = counts.content_lengths;
  const std::size_t transfer_encodings = counts.transfer_encodings;
  if (content_lengths > 1) return RequestProblem{bh::status::bad_request, "duplicate Content-Length"};
  // Beast accepts "3, 3" (equal values in a list) and would forward the list as it came; a
  // service that reads it differently frames the body differently. RFC 9110 8.6 allows refusing.
  if (content_lengths == 1 && request[bh::field::content_length].find(',') != std::string_view::npos)
    return RequestProblem{bh::status::bad_request, "Content-Length is a list"};
  if (transfer_encodings == 0) return std::nullopt;
  if (content_lengths > 0)
    return RequestProblem{bh::status::bad_request, "both Content-Length and Transfer-Encoding"};
  if (request.version() < 11)
    return RequestProblem{bh::status::bad_request, "Transfer-Encoding in an HTTP/1.0 request"};
  // Only the plain, single "chunked" coding is accepted: every obfuscated variant
  // ("chunked, identity", "xchunked", repeated fields) is how TE.TE smuggling starts.
  if (transfer_encodings > 1 ||
      !ascii_iequals(trim_ows(request[bh::field::transfer_encoding]), "chunked"))
    return RequestProblem{bh::status::bad_request, "unsupported Transfer-Encoding"};
  return std::nullopt;
}

// "http://host:port/path?q" -> authority "host:port", rest "/path?q".
std::optional<RequestProblem> to_origin_form(RequestHeader& request) {
  const std::string_view target = request.target();
  if (target.starts_with('/')) return std::nullopt;
  if (target == "*") {
    if (request.method() == bh::verb::options) return std::nullopt;
    return RequestProblem{bh::status::bad_request, "asterisk target outside OPTIONS"};
  }
  constexpr std::string_view scheme = "http://";
  if (target.size() < scheme.size() || !ascii_iequals(target.substr(0, scheme.size()), scheme))
    return RequestProblem{bh::status::bad_request, "malformed request target"};
  const std::string_view rest = target.substr(scheme.size());
  const auto slash = rest.find_first_of("/?");
  const std::string_view authority = rest.substr(0, slash);
  // levee forwards only to its own upstreams: an absolute-form target naming another host is a
  // request to use levee as an open proxy.
  if (authority.empty() || !ascii_iequals(authority, request[bh::field::host]))
    return RequestProblem{bh::status::bad_request, "absolute-form target for another host"};
  std::string origin = slash == std::string_view::npos ? std::string("/") : std::string(rest.substr(slash));
  if (origin.front() == '?') origin.insert(origin.begin(), '/');
  request.target(origin);
  return std::nullopt;
}

// Routing and forwarding use the same, normal path: "/api/../admin" must not be routed as /api.
std::optional<RequestProblem> normalize_path(RequestHeader& request) {
  if (!request.target().starts_with('/')) return std::nullopt;  // "*"
  policy::NormalizedTarget normal = policy::normalize_target(request.target());
  if (!normal.problem.empty()) return RequestProblem{bh::status::bad_request, normal.problem};
  if (normal.rewritten) request.target(*normal.rewritten);
  return std::nullopt;
}

// Several field lines of one list header are one list, in order (RFC 9110 5.3): all of them are
// kept, joined into one line, before `value` is appended.
template <bool isRequest, class Name>
void append_list_value(bh::header<isRequest, Fields>& header, Name field, std::string_view value) {
  std::string joined;
  const auto [first, last] = header.equal_range(field);
  for (auto it = first; it != last; ++it) joined.append(it->value()).append(", ");
  joined.append(value);
  header.set(field, joined);
}

}  // namespace

std::optional<RequestProblem> check_request(RequestHeader& request) {
  if (request.version() != 10 && request.version() != 11)
    return RequestProblem{bh::status::http_version_not_supported, "unsupported HTTP version"};
  if (request.method() == bh::verb::connect)
    return RequestProblem{bh::status::method_not_allowed, "CONNECT is not supported"};
  const FramingCounts counts = count_framing(request);
  if (counts.hosts > 1 || (counts.hosts == 0 && request.version() == 11))
    return RequestProblem{bh::status::bad_request, "an HTTP/1.1 request needs exactly one Host"};
  if (auto problem = check_framing(request, counts)) return problem;
  // "Chunked" or "chunked<TAB>" are legal, but a careless service may only know the lower-case
  // spelling and read no body: the chunks would then become the next request on the pooled
  // connection. levee re-encodes the body anyway, so it forwards the canonical spelling.
  if (counts.transfer_encodings > 0) request.set(bh::field::transfer_encoding, "chunked");
  if (auto problem = to_origin_form(request)) return problem;
  return normalize_path(request);
}

void prepare_upstream_request(RequestHeader& request, const ForwardingFacts& facts, AddedFields& added) {
  const Present present = scan(request);
  strip_hop_by_hop(request, present);
  if (present.expect) request.erase(bh::field::expect);  // levee answers 100-continue itself
  if (facts.trusted_proxy) {
    if (present.x_forwarded_for)
      append_list_value(request, x_forwarded_for, facts.client_address);
    else
      added.add(x_forwarded_for, facts.client_address);
    if (!present.x_forwarded_proto) added.add(x_forwarded_proto, facts.protocol);
  } else {
    if (present.x_forwarded_for) request.erase(x_forwarded_for);
    added.add(x_forwarded_for, facts.client_address);
    if (present.x_forwarded_proto) request.erase(x_forwarded_proto);
    added.add(x_forwarded_proto, facts.protocol);
    if (present.client_claims)
      for (const std::string_view name : claims_about_the_client) request.erase(name);
  }
  if (present.via)
    append_list_value(request, bh::field::via, via_value);
  else
    added.add("Via", via_value);
  if (!present.host && !facts.upstream_authority.empty()) request.set(bh::field::host, facts.upstream_authority);
  request.version(11);
}

void prepare_downstream_response(ResponseHeader& response) {
  const Present present = scan(response);
  strip_hop_by_hop(response, present);
  if (present.via)
    append_list_value(response, bh::field::via, via_value);
  else
    response.insert(bh::field::via, via_value);
}

}  // namespace levee::http
