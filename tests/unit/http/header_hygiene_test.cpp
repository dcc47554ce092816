#include "proxy/http/header_hygiene.h"

#include <boost/beast/http/field.hpp>
#include <gtest/gtest.h>

namespace levee::http {
namespace {
namespace bh = boost::beast::http;

RequestHeader make_request(bh::verb method = bh::verb::get, std::string_view target = "/", unsigned version = 11) {
  RequestHeader request;
  request.method(method);
  request.target(target);
  request.version(version);
  request.set(bh::field::host, "svc.local");
  return request;
}

TEST(CheckRequest, AcceptsAnOrdinaryRequest) {
  auto request = make_request();
  EXPECT_FALSE(check_request(request));
}

TEST(CheckRequest, RefusesConnect) {
  auto request = make_request(bh::verb::connect, "svc.local:443");
  const auto problem = check_request(request);
  ASSERT_TRUE(problem);
  EXPECT_EQ(problem->status, bh::status::method_not_allowed);
}

TEST(CheckRequest, NeedsExactlyOneHostInHttp11) {
  auto missing = make_request();
  missing.erase(bh::field::host);
  EXPECT_TRUE(check_request(missing));
  auto http10 = make_request(bh::verb::get, "/", 10);
  http10.erase(bh::field::host);
  EXPECT_FALSE(check_request(http10));
  auto twice = make_request();
  twice.insert(bh::field::host, "other");
  EXPECT_TRUE(check_request(twice));
}

TEST(CheckRequest, RefusesEveryTransferEncodingButPlainChunked) {
  for (const char* value : {"chunked, identity", "identity", "xchunked", "gzip, chunked", "chunked;x"}) {
    auto request = make_request(bh::verb::post);
    request.set(bh::field::transfer_encoding, value);
    EXPECT_TRUE(check_request(request)) << value;
  }
  auto ok = make_request(bh::verb::post);
  ok.set(bh::field::transfer_encoding, "Chunked");
  EXPECT_FALSE(check_request(ok));
}

TEST(CheckRequest, RefusesContentLengthWithTransferEncodingOrTwice) {
  auto both = make_request(bh::verb::post);
  both.set(bh::field::transfer_encoding, "chunked");
  both.set(bh::field::content_length, "3");
  EXPECT_TRUE(check_request(both));
  auto twice = make_request(bh::verb::post);
  twice.insert(bh::field::content_length, "3");
  twice.insert(bh::field::content_length, "3");
  EXPECT_TRUE(check_request(twice));
}

TEST(CheckRequest, RefusesAContentLengthList) {
  // Beast's parser merges "3, 3" into one length; the list must not reach the service as is.
  for (const char* value : {"3, 3", "3,3"}) {
    auto request = make_request(bh::verb::post);
    request.set(bh::field::content_length, value);
    const auto problem = check_request(request);
    ASSERT_TRUE(problem) << value;
    EXPECT_EQ(problem->status, bh::status::bad_request);
  }
  auto single = make_request(bh::verb::post);
  single.set(bh::field::content_length, "3");
  EXPECT_FALSE(check_request(single));
}

TEST(CheckRequest, ForwardsChunkedInItsCanonicalSpelling) {
  auto request = make_request(bh::verb::post);
  request.set(bh::field::transfer_encoding, "CHUNKED");
  EXPECT_FALSE(check_request(request));
  EXPECT_EQ(request[bh::field::transfer_encoding], "chunked");
}

TEST(CheckRequest, RewritesAbsoluteFormForItsOwnHostAndRefusesOthers) {
  auto own = make_request(bh::verb::get, "http://svc.local/a/b?x=1");
  EXPECT_FALSE(check_request(own));
  EXPECT_EQ(own.target(), "/a/b?x=1");
  auto query_only = make_request(bh::verb::get, "http://svc.local?x=1");
  EXPECT_FALSE(check_request(query_only));
  EXPECT_EQ(query_only.target(), "/?x=1");
  auto foreign = make_request(bh::verb::get, "http://evil.example/");
  EXPECT_TRUE(check_request(foreign));
  auto other_scheme = make_request(bh::verb::get, "ftp://svc.local/");
  EXPECT_TRUE(check_request(other_scheme));
}

// The scheme and host compare case-insensitively. A target that is exactly a mixed-case scheme
// once made the comparison read past the target (the fuzzer's find; ASan runs this test).
TEST(CheckRequest, AbsoluteFormSchemeAndHostIgnoreCase) {
  auto mixed = make_request(bh::verb::get, "HTTP://SVC.local/x");
  EXPECT_FALSE(check_request(mixed));
  EXPECT_EQ(mixed.target(), "/x");
  auto scheme_only = make_request(bh::verb::post, "httP://");
  const auto problem = check_request(scheme_only);
  ASSERT_TRUE(problem);
  EXPECT_EQ(problem->status, bh::status::bad_request);
}

TEST(CheckRequest, NormalisesThePathSoWhatIsRoutedIsWhatIsForwarded) {
  auto dots = make_request(bh::verb::get, "/api/../admin?next=/api/../x");
  EXPECT_FALSE(check_request(dots));
  EXPECT_EQ(dots.target(), "/admin?next=/api/../x");  // the query is kept as it came
  auto encoded = make_request(bh::verb::get, "/api/%2e%2e/%7Eadmin");
  EXPECT_FALSE(check_request(encoded));
  EXPECT_EQ(encoded.target(), "/~admin");
  auto absolute = make_request(bh::verb::get, "http://svc.local/a/./b");
  EXPECT_FALSE(check_request(absolute));
  EXPECT_EQ(absolute.target(), "/a/b");
  auto plain = make_request(bh::verb::get, "/a//b?x");
  EXPECT_FALSE(check_request(plain));
  EXPECT_EQ(plain.target(), "/a//b?x");
}

TEST(CheckRequest, RefusesPathsThatCannotBeNormalisedSafely) {
  for (const char* target : {"/..", "/api/../../etc/passwd", "/api%2F..%2Fadmin", "/x%00", "/api/..;/admin", "/a%zz"}) {
    auto request = make_request(bh::verb::get, target);
    const auto problem = check_request(request);
    ASSERT_TRUE(problem) << target;
    EXPECT_EQ(problem->status, bh::status::bad_request) << target;
    EXPECT_NE(problem->detail.find("path"), std::string_view::npos) << problem->detail;
  }
}

TEST(CheckRequest, AsteriskOnlyForOptions) {
  auto options = make_request(bh::verb::options, "*");
  EXPECT_FALSE(check_request(options));
  auto get = make_request(bh::verb::get, "*");
  EXPECT_TRUE(check_request(get));
}

// The request as the service receives it: prepared, with the fields levee adds in place.
void prepare_upstream_request(RequestHeader& request, const ForwardingFacts& facts) {
  AddedFields added;
  levee::http::prepare_upstream_request(request, facts, added);
  added.insert_into(request);
}

TEST(PrepareUpstreamRequest, NewFieldsAreAddedBesideTheHeaderNotIntoIt) {
  auto request = make_request();
  AddedFields added;
  levee::http::prepare_upstream_request(request, {"10.0.0.9", "https", false, {}}, added);
  for (auto name : {"X-Forwarded-For", "X-Forwarded-Proto", "Via"}) EXPECT_EQ(request.find(name), request.end()) << name;
  ASSERT_EQ(added.fields().size(), 3u);
  EXPECT_EQ(added.fields()[0].name, "X-Forwarded-For");
  EXPECT_EQ(added.fields()[0].value, "10.0.0.9");
  EXPECT_EQ(added.fields()[1].name, "X-Forwarded-Proto");
  EXPECT_EQ(added.fields()[1].value, "https");
  EXPECT_EQ(added.fields()[2].name, "Via");
  EXPECT_EQ(added.fields()[2].value, "1.1 levee");
  // Inserted once: a second insert (a retry on a fresh connection) adds nothing.
  added.insert_into(request);
  added.insert_into(request);
  EXPECT_TRUE(added.fields().empty());
  EXPECT_EQ(request.count("X-Forwarded-For"), 1u);
  EXPECT_EQ(request.count(bh::field::via), 1u);
}

TEST(PrepareUpstreamRequest, AnHttp10RequestWithoutHostGetsTheUpstreamsAuthority) {
  auto request = make_request();
  request.erase(bh::field::host);
  request.version(10);
  prepare_upstream_request(request, {"10.0.0.9", "http", false, "127.0.0.1:8081"});
  EXPECT_EQ(request[bh::field::host], "127.0.0.1:8081");
  EXPECT_EQ(request.version(), 11u);
  auto with_host = make_request();
  const std::string host(with_host[bh::field::host]);
  prepare_upstream_request(with_host, {"10.0.0.9", "http", false, "127.0.0.1:8081"});
  EXPECT_EQ(with_host[bh::field::host], host);  // a Host the client sent is kept
}

TEST(PrepareUpstreamRequest, StripsHopByHopAndWhatConnectionNames) {
  auto request = make_request();
  request.set(bh::field::connection, "keep-alive, X-Secret, Content-Length");
  request.set("X-Secret", "s");
  request.set(bh::field::keep_alive, "timeout=5");
  request.set(bh::field::proxy_authorization, "Basic x");
  request.set(bh::field::te, "trailers");
  request.set(bh::field::upgrade, "websocket");
  request.set(bh::field::expect, "100-continue");
  request.set(bh::field::content_length, "0");
  prepare_upstream_request(request, {"10.0.0.9", "http", false, {}});
  for (auto name : {"Connection", "X-Secret", "Keep-Alive", "Proxy-Authorization", "TE", "Upgrade", "Expect"})
    EXPECT_EQ(request.find(name), request.end()) << name;
  EXPECT_EQ(request[bh::field::content_length], "0");  // framing survives a Connection token
  EXPECT_EQ(request["X-Forwarded-For"], "10.0.0.9");
  EXPECT_EQ(request["X-Forwarded-Proto"], "http");
  EXPECT_EQ(request[bh::field::via], "1.1 levee");
  EXPECT_EQ(request.version(), 11u);
}

// What a client could claim about itself, as a proxy in front of levee would have sent it.
RequestHeader with_forwarding_claims() {
  auto request = make_request();
  request.set("X-Forwarded-For", "1.2.3.4");
  request.insert("X-Forwarded-For", "5.6.7.8");
  request.set("X-Forwarded-Proto", "https");
  request.set("Forwarded", "for=1.2.3.4;proto=https");
  request.set("X-Real-IP", "1.2.3.4");
  request.set("X-Forwarded-Host", "admin.internal");
  request.set("X-Forwarded-Port", "443");
  request.set("X-Forwarded-Prefix", "/admin");
  request.set(bh::field::via, "1.1 edge");
  return request;
}

TEST(PrepareUpstreamRequest, FromATrustedProxyAppendsToForwardedForAndKeepsTheRest) {
  auto request = with_forwarding_claims();
  prepare_upstream_request(request, {"10.0.0.9", "http", true, {}});
  EXPECT_EQ(request.count("X-Forwarded-For"), 1u);
  EXPECT_EQ(request["X-Forwarded-For"], "1.2.3.4, 5.6.7.8, 10.0.0.9");  // every field line, in order
  EXPECT_EQ(request["X-Forwarded-Proto"], "https");
  EXPECT_EQ(request["Forwarded"], "for=1.2.3.4;proto=https");
  EXPECT_EQ(request["X-Real-IP"], "1.2.3.4");
  EXPECT_EQ(request["X-Forwarded-Host"], "admin.internal");
  EXPECT_EQ(request["X-Forwarded-Port"], "443");
  EXPECT_EQ(request["X-Forwarded-Prefix"], "/admin");
  EXPECT_EQ(request[bh::field::via], "1.1 edge, 1.1 levee");
}

TEST(PrepareUpstreamRequest, FromATrustedProxyWithoutProtoSetsLeveesOwn) {
  auto request = make_request();
  prepare_upstream_request(request, {"10.0.0.9", "http", true, {}});
  EXPECT_EQ(request["X-Forwarded-For"], "10.0.0.9");
  EXPECT_EQ(request["X-Forwarded-Proto"], "http");
}

TEST(PrepareUpstreamRequest, FromAnUntrustedPeerForwardingHeadersAreReplacedByFacts) {
  auto request = with_forwarding_claims();
  prepare_upstream_request(request, {"203.0.113.5", "http", false, {}});
  EXPECT_EQ(request.count("X-Forwarded-For"), 1u);
  EXPECT_EQ(request["X-Forwarded-For"], "203.0.113.5");
  EXPECT_EQ(request["X-Forwarded-Proto"], "http");
  for (auto name : {"Forwarded", "X-Real-IP", "X-Forwarded-Host", "X-Forwarded-Port", "X-Forwarded-Prefix"})
    EXPECT_EQ(request.find(name), request.end()) << name;
  EXPECT_EQ(request[bh::field::via], "1.1 edge, 1.1 levee");  // Via records hops, it claims nothing
}

TEST(PrepareDownstreamResponse, StripsHopByHopAndAddsVia) {
  ResponseHeader response;
  response.result(bh::status::ok);
  response.set(bh::field::connection, "close, X-Internal");
  response.set("X-Internal", "1");
  response.set(bh::field::keep_alive, "timeout=5");
  response.set(bh::field::proxy_authenticate, "Basic");
  prepare_downstream_response(response);
  for (auto name : {"Connection", "X-Internal", "Keep-Alive", "Proxy-Authenticate"})
    EXPECT_EQ(response.find(name), response.end()) << name;
  EXPECT_EQ(response[bh::field::via], "1.1 levee");
}

}  // namespace
}  // namespace levee::http
