// libFuzzer harness for the request path, without sockets: the bytes are what a client sent on a
// fresh connection. They are read the way the session reads them: into a flat_buffer, through
// parse_request_header (request_head.h: levee's header budget over Beast's parser, with the
// default header and body limits, as ClientSession::serve_one does), and a header it accepts
// goes through the same pure entry points as the request pipeline: examine_request_head
// (check, route, trust), admission_facts (class and deadline), the shed/error replies,
// prepare_upstream_request, then the body. The peer is a trusted proxy for inputs of odd length.
//
// Besides "no crash, no sanitizer report", it checks the property that keeps request smuggling
// out: the header levee sends upstream parses back to the same method, target and framing
// (chunked or the same Content-Length) as the request levee checked; and the trust rules: the
// target routed is already normal, the shared secret never leaves, and an untrusted sender
// never ends up above its route's class.
//
// The bytes are fed as a flat_buffer fills: a growing prefix, in steps of `read_step`, so
// Beast's incremental header scan is exercised as well as the one-shot case. The same bytes are
// also parsed as a response, for prepare_downstream_response.

#include <boost/asio/buffer.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/optional/optional.hpp>

#include <array>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "proxy/config/config.h"
#include "proxy/http/client_trust.h"
#include "proxy/http/header_hygiene.h"
#include "proxy/http/local_reply.h"
#include "proxy/http/request_class.h"
#include "proxy/http/request_head.h"
#include "proxy/http/shed_reply.h"
#include "proxy/policy/request_path.h"
#include "proxy/policy/router.h"
#include "proxy/policy/shed_reason.h"

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bh = boost::beast::http;
using namespace levee;

// Odd, so read boundaries land everywhere in the header (CRLFs, field names, chunk sizes).
constexpr std::size_t read_step = 37;

// Read-only after the first call: a small routing table with a host route, nested prefixes and a
// route timeout, so every branch of the router and of classify_request is reachable.
struct Fixture {
  config::Config config;
  policy::Router router;
};

Fixture make_fixture() {
  config::Config config;
  auto route = [](std::string name, std::string host, std::string prefix, policy::Priority priority,
                  std::optional<config::Duration> timeout) {
    config::RouteConfig r;
    r.name = std::move(name);
    r.host = std::move(host);
    r.path_prefix = std::move(prefix);
    r.upstream = "app";
    r.priority = priority;
    r.timeout = timeout;
    return r;
  };
  config.routes = {route("api", "api.example.com", "/api", policy::Priority::critical, std::chrono::seconds(2)),
                   route("static", "", "/static", policy::Priority::sheddable, std::nullopt),
                   route("default", "", "/", policy::Priority::normal, std::chrono::milliseconds(1500))};
  config.trusted_proxies = policy::AddressSet({*policy::parse_address_range("192.0.2.0/24").range});
  config.priority_trust.secret_header = "levee-trust";
  config.priority_trust.secret = "${FUZZ_SECRET}";
  config.priority_trust.secret_value = "fuzz-secret-0123456789";
  std::vector<policy::RouteMatch> matches;
  for (const auto& r : config.routes) matches.push_back({r.host, r.path_prefix});
  return Fixture{std::move(config), policy::Router(std::move(matches))};
}

const Fixture& fixture() {
  static const Fixture instance = make_fixture();
  return instance;
}

[[noreturn]] void fail(const char* what, std::string_view detail) {
  std::fprintf(stderr, "request_fuzzer: %s\n%.*s\n", what, static_cast<int>(detail.size()), detail.data());
  std::abort();
}

template <class Message>
std::string serialize(const Message& message) {
  std::ostringstream out;
  out << message;
  return out.str();
}

// Writes a local reply the way the session would (the bytes are discarded; the point is that
// making and serialising it is safe for any request).
void write_reply(const http::LocalReply& reply, unsigned version, bool head) {
  (void)serialize(http::to_response(reply, version, /*keep_alive=*/false, head));
}

// Feeds `bytes` to `parser` as a growing buffer until the header is complete. Returns the bytes
// consumed, or nullopt when the header is rejected or never completes (the session answers a
// parse error with a 400/431 and treats an unfinished header as a disconnect).
template <class Parser>
std::optional<std::size_t> parse_header(Parser& parser, std::string_view bytes, beast::error_code& ec) {
  std::size_t used = 0;
  std::size_t end = 0;
  while (!parser.is_header_done()) {
    if (end == bytes.size()) return std::nullopt;
    end = std::min(bytes.size(), end + read_step);
    ec = {};
    used += parser.put(asio::buffer(bytes.data() + used, end - used), ec);
    if (ec == bh::error::need_more) continue;
    if (ec) return std::nullopt;
  }
  return used;
}

// Reads a request header the way ClientSession::read_request_header does (the bytes arriving
// `read_step` at a time into its buffer, parse_request_header after each), without the socket.
// Returns the bytes consumed, or nullopt when the header is refused or never completes (the
// session answers a parse error or an over-budget header with a 400/431, and treats an
// unfinished header as a disconnect). `limit_hit`: refused for its size.
std::optional<std::size_t> read_header_as_session(http::RequestParser& parser, std::string_view bytes,
                                                  std::uint32_t limit, beast::error_code& ec) {
  beast::flat_buffer buffer;
  http::HeaderBudget budget{limit};
  std::size_t fed = 0;
  for (;;) {
    ec = http::parse_request_header(parser, buffer, budget);
    if (!ec) break;
    if (ec != bh::error::need_more) return std::nullopt;
    if (fed == bytes.size()) return std::nullopt;
    const std::size_t step = std::min(bytes.size() - fed, read_step);
    auto room = buffer.prepare(step);
    std::memcpy(room.data(), bytes.data() + fed, step);
    buffer.commit(step);
    fed += step;
  }
  // A header can never take more than its budget, however it arrived.
  if (budget.consumed > limit) fail("header over its budget was accepted", bytes.substr(0, 200));
  if (!parser.is_header_done()) fail("parse_request_header said done before the header was", bytes.substr(0, 200));
  return fed - buffer.size();
}

// The header levee forwards must read back as the message it checked: same method, target and
// body framing. A disagreement here is a request-smuggling bug.
void check_forwarded_header(const http::RequestHeader& forwarded, bool chunked,
                            const boost::optional<std::uint64_t>& content_length) {
  const std::string wire = serialize(forwarded);
  bh::request_parser<bh::empty_body> reparsed;
  reparsed.header_limit(static_cast<std::uint32_t>(wire.size()));
  reparsed.skip(true);  // header only: the body is relayed separately
  beast::error_code ec;
  reparsed.put(asio::buffer(wire), ec);
  if (ec || !reparsed.is_header_done()) fail("forwarded header does not parse", wire + "\n" + ec.message());
  const auto& back = reparsed.get();
  if (back.method() != forwarded.method() || back.method_string() != forwarded.method_string() ||
      back.target() != forwarded.target())
    fail("forwarded request line changed", wire);
  if (reparsed.chunked() != chunked) fail("forwarded header changed chunked framing", wire);
  const auto length = reparsed.content_length();
  if (length.has_value() != content_length.has_value() || (length && *length != *content_length))
    fail("forwarded header changed Content-Length", wire);
}

// The body relayed the way forward() does: a small buffer_body window, refilled until done.
void relay_body(http::RequestParser& parser, std::string_view rest) {
  std::array<char, 512> window{};
  while (!parser.is_done() && !rest.empty()) {
    auto& body = parser.get().body();
    body.data = window.data();
    body.size = window.size();
    beast::error_code ec;
    const std::size_t used = parser.put(asio::buffer(rest.data(), rest.size()), ec);
    rest.remove_prefix(used);
    if (ec == bh::error::need_buffer) continue;  // the window is full: "sent" upstream, go on
    if (ec || used == 0) return;                 // body_limit, bad chunk, or needs more bytes
  }
}

void fuzz_request(std::string_view bytes) {
  const Fixture& f = fixture();
  const config::ListenerConfig limits;  // levee's shipped defaults
  http::RequestParser parser;
  parser.body_limit(limits.max_body_bytes);

  beast::error_code ec;
  const auto limit = static_cast<std::uint32_t>(std::min<std::uint64_t>(limits.max_header_bytes, UINT32_MAX));
  const auto used = read_header_as_session(parser, bytes, limit, ec);
  if (!used) {
    if (ec && ec != bh::error::need_more)
      write_reply(http::make_error_reply(bh::status::bad_request, "malformed request", true), 11, false);
    return;
  }

  auto& request = parser.get();
  const unsigned version = request.version() == 10 ? 10 : 11;
  const bool head = request.method() == bh::verb::head;
  const std::string_view peer_address = bytes.size() % 2 == 1 ? "192.0.2.7" : "203.0.113.9";
  const http::HeadDecision decision = http::examine_request_head(
      request, !parser.is_done(), f.router, f.config, policy::IpAddress::parse(peer_address));
  if (decision.refusal) {
    if (decision.route) fail("a refused request was also routed", request.target());
    write_reply(*decision.refusal, version, head);
    if (decision.refusal->status != bh::status::not_found) return;  // refused by check_request
  }

  if (request.target().starts_with('/')) {
    const policy::NormalizedTarget again = policy::normalize_target(request.target());
    if (again.rewritten || !again.problem.empty()) fail("the target routed is not normal", request.target());
  }

  const http::ClientTrust trust = decision.trust;
  if (decision.route) {
    if (*decision.route >= f.config.routes.size()) fail("router returned an index out of range", request.target());
    const config::RouteConfig& route = f.config.routes[*decision.route];
    if (request.find("levee-trust") != request.end()) fail("the shared-secret header is forwarded", request.target());
    const policy::TimePoint arrival{std::chrono::hours(1)};
    const http::AdmissionFacts facts = http::admission_facts(request.base(), route, f.config, arrival);
    if (!trust.may_raise_priority && policy::index(facts.priority) < policy::index(route.priority))
      fail("an untrusted sender raised its priority", request.target());
    if (facts.deadline && *facts.deadline < arrival) fail("a deadline before the arrival", request.target());
    if (facts.deadline && route.timeout && *facts.deadline > arrival + *route.timeout)
      fail("deadline beyond the route timeout", request.target());
    const http::ShedReplyStyle style{429, {}};
    write_reply(http::make_shed_reply(policy::ShedReason::queue_full, std::chrono::seconds(1),
                                      http::prefers_html(request[bh::field::accept]), style, !parser.is_done()),
                version, head);
  }

  const bool chunked = parser.chunked();
  const auto content_length = parser.content_length();
  // A Host-less HTTP/1.0 request gets this authority, as levee gives it the route upstream's.
  const http::ForwardingFacts facts{peer_address, "http", trust.trusted_proxy, "service.internal:8081"};
  http::AddedFields added;
  http::prepare_upstream_request(request, facts, added);
  // What the service receives: serialize_head writes the added fields after the header's own,
  // exactly as inserting them would (head_serializer_test).
  added.insert_into(request);
  check_forwarded_header(request.base(), chunked, content_length);
  relay_body(parser, bytes.substr(*used));
}

void fuzz_response(std::string_view bytes) {
  bh::parser<false, bh::empty_body, http::FieldAllocator<char>> parser;  // the fields type forward() reads into
  parser.skip(true);  // header only, like forward()'s response header read
  beast::error_code ec;
  if (!parse_header(parser, bytes, ec)) return;
  http::prepare_downstream_response(parser.get().base());
  (void)serialize(parser.get().base());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  fuzz_request(bytes);
  fuzz_response(bytes);
  return 0;
}
