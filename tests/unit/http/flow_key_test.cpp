// Flow keys: each part, combinations, missing parts, the trusted X-Forwarded-For rule, labels
// and hashing, and the parsing edge cases of cookies, query parameters and path segments.
#include "proxy/http/flow_key.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "proxy/http/header_hygiene.h"

namespace levee::http {
namespace {
namespace bh = boost::beast::http;
using policy::FlowKeyPart;
using policy::FlowKeySource;

const policy::FlowHashKey kFlowHashSecret{{0x0123456789abcdefULL, 0xfedcba9876543210ULL}};

FlowKeySource header(std::string name, bool hash = false) { return {FlowKeyPart::header, std::move(name), 0, hash}; }
FlowKeySource query(std::string name) { return {FlowKeyPart::query, std::move(name), 0, false}; }
FlowKeySource cookie(std::string name, bool hash = false) { return {FlowKeyPart::cookie, std::move(name), 0, hash}; }
FlowKeySource segment(std::uint32_t n) { return {FlowKeyPart::path_segment, "", n, false}; }
FlowKeySource client() { return {FlowKeyPart::client_address, "", 0, false}; }

policy::AddressSet flow_address_set(std::initializer_list<std::string_view> texts) {
  std::vector<policy::AddressRange> ranges;
  for (const auto text : texts) ranges.push_back(*policy::parse_address_range(text).range);
  return policy::AddressSet(std::move(ranges));
}

struct FlowKeyTest : ::testing::Test {
  FlowKeyTest() {
    request.method(bh::verb::get);
    request.target("/");
    request.set(bh::field::host, "svc.local");
  }

  std::optional<std::string> key(const std::vector<FlowKeySource>& parts, std::string_view client_address = "") {
    return flow_key_text(parts, FlowKeyInputs{request, request.target(), client_address});
  }

  FlowKey flow(const policy::FairnessSettings& fairness, std::string_view client_address = "") {
    const auto rule = make_flow_key_rule(fairness, kFlowHashSecret);
    return flow_key(*rule, FlowKeyInputs{request, request.target(), client_address});
  }

  RequestHeader request;
};

TEST_F(FlowKeyTest, NoRuleWhileFairnessIsOff) {
  EXPECT_EQ(make_flow_key_rule(policy::FairnessSettings{}, kFlowHashSecret), nullptr);
}

TEST_F(FlowKeyTest, HeaderPart) {
  request.set("X-Tenant", "acme");
  EXPECT_EQ(key({header("X-Tenant")}), "acme");
  EXPECT_EQ(key({header("x-tenant")}), "acme");  // field names ignore case
}

TEST_F(FlowKeyTest, RepeatedHeaderFieldsAreJoined) {
  request.insert("X-Tenant", "acme");
  request.insert("X-Tenant", "globex");
  EXPECT_EQ(key({header("X-Tenant")}), "acme,globex");
}

TEST_F(FlowKeyTest, ClientAddressPart) { EXPECT_EQ(key({client()}, "203.0.113.7"), "203.0.113.7"); }

TEST_F(FlowKeyTest, PartsCombineInOrderAndAMissingPartIsEmpty) {
  request.target("/v1/acme/orders?region=eu");
  request.set("X-Tenant", "acme");
  EXPECT_EQ(key({header("X-Tenant"), query("region"), segment(2)}), "acme|eu|acme");
  EXPECT_EQ(key({header("X-Other"), query("region")}), "|eu");
  EXPECT_EQ(key({header("X-Tenant"), cookie("session"), client()}), "acme||");
}

TEST_F(FlowKeyTest, EveryPartMissingIsNoKey) {
  EXPECT_EQ(key({header("X-Tenant"), query("tenant"), cookie("s")}), std::nullopt);
  policy::FairnessSettings fairness;
  fairness.key = {header("X-Tenant")};
  const FlowKey none = flow(fairness);
  EXPECT_EQ(none.flow, policy::no_flow_key);
  EXPECT_EQ(none.named_flow, 0u);
  EXPECT_EQ(none.label, "(no key)");
  request.set("X-Tenant", "");  // an empty value is no value
  EXPECT_EQ(flow(fairness).flow, policy::no_flow_key);
}

TEST_F(FlowKeyTest, CookieAmongSeveralInSeveralFields) {
  request.insert(bh::field::cookie, "theme=dark;lang=en");
  request.insert(bh::field::cookie, " sid = \"abc123\" ; session=s-42; session=later");
  EXPECT_EQ(key({cookie("session")}), "s-42");     // the first of that name wins
  EXPECT_EQ(key({cookie("lang")}), "en");
  EXPECT_EQ(key({cookie("sid")}), "abc123");       // quotes and spaces removed
  EXPECT_EQ(key({cookie("Session")}), std::nullopt);  // cookie names are case-sensitive
  EXPECT_EQ(key({cookie("theme=dark")}), std::nullopt);
  EXPECT_EQ(key({cookie("sess")}), std::nullopt);  // no prefix match
}

TEST_F(FlowKeyTest, CookieWithoutValueOrEqualsSign) {
  request.set(bh::field::cookie, "flag; empty=; session=x=y");
  EXPECT_EQ(key({cookie("flag")}), std::nullopt);
  EXPECT_EQ(key({cookie("empty")}), std::nullopt);
  EXPECT_EQ(key({cookie("session")}), "x=y");  // split at the first '='
}

TEST_F(FlowKeyTest, QueryParameterDecoding) {
  request.target("/search?q=a+b&tenant=ac%6De&t%65nant=second&x=%zz%4&empty=&flag");
  EXPECT_EQ(key({query("tenant")}), "acme");  // %6D decoded; the first match wins
  EXPECT_EQ(key({query("q")}), "a b");         // '+' is a space
  EXPECT_EQ(key({query("x")}), "%zz%4");       // malformed escapes kept as written
  EXPECT_EQ(key({query("empty")}), std::nullopt);
  EXPECT_EQ(key({query("flag")}), std::nullopt);
  EXPECT_EQ(key({query("missing")}), std::nullopt);
}

TEST_F(FlowKeyTest, QueryParameterNameIsDecodedAndExact) {
  request.target("/?my+key=1&my%20key=2&tenantx=3");
  EXPECT_EQ(key({query("my key")}), "1");
  EXPECT_EQ(key({query("tenant")}), std::nullopt);
  request.target("/no-query");
  EXPECT_EQ(key({query("tenant")}), std::nullopt);
  request.target("/?");
  EXPECT_EQ(key({query("tenant")}), std::nullopt);
}

TEST_F(FlowKeyTest, PathSegmentAfterNormalisation) {
  request.target("/v1/./x/../acme/%7Eorders?tenant=q");
  ASSERT_FALSE(check_request(request).has_value());  // what the pipeline does first
  EXPECT_EQ(request.target(), "/v1/acme/~orders?tenant=q");
  EXPECT_EQ(key({segment(1)}), "v1");
  EXPECT_EQ(key({segment(2)}), "acme");
  EXPECT_EQ(key({segment(3)}), "~orders");  // the query is not part of the path
  EXPECT_EQ(key({segment(4)}), std::nullopt);
}

TEST_F(FlowKeyTest, EmptyPathSegmentsCount) {
  request.target("/a//b/");
  EXPECT_EQ(key({segment(1)}), "a");
  EXPECT_EQ(key({segment(2)}), std::nullopt);
  EXPECT_EQ(key({segment(3)}), "b");
  EXPECT_EQ(key({segment(4)}), std::nullopt);
}

TEST_F(FlowKeyTest, FlowIdsAreKeyedHashesAndNamedFlowsAreFound) {
  policy::FairnessSettings fairness;
  fairness.key = {header("X-Tenant")};
  fairness.flows = {{"batch", "batch-job", 1, 20}, {"vip", "acme", 4, 0}};
  request.set("X-Tenant", "acme");
  const FlowKey acme = flow(fairness);
  EXPECT_EQ(acme.flow, policy::flow_id("acme", kFlowHashSecret));
  EXPECT_NE(acme.flow, policy::no_flow_key);
  EXPECT_NE(acme.flow, policy::new_keys_flow);
  EXPECT_EQ(acme.named_flow, 2u);
  EXPECT_EQ(acme.label, "acme");
  request.set("X-Tenant", "batch-job");
  EXPECT_EQ(flow(fairness).named_flow, 1u);
  request.set("X-Tenant", "globex");
  const FlowKey globex = flow(fairness);
  EXPECT_EQ(globex.named_flow, 0u);
  EXPECT_NE(globex.flow, acme.flow);
}

TEST_F(FlowKeyTest, NamedFlowsMatchTheJoinedKey) {
  policy::FairnessSettings fairness;
  fairness.key = {header("X-Tenant"), query("tier")};
  fairness.flows = {{"acme-gold", "acme|gold", 2, 0}};
  request.set("X-Tenant", "acme");
  request.target("/?tier=gold");
  EXPECT_EQ(flow(fairness).named_flow, 1u);
}

TEST_F(FlowKeyTest, AHashedPartShowsOnlyTheFlowId) {
  policy::FairnessSettings fairness;
  fairness.key = {header("X-Tenant"), header("Authorization", true)};
  request.set("X-Tenant", "acme");
  request.set(bh::field::authorization, "Bearer s3cr3t");
  const FlowKey hashed = flow(fairness);
  EXPECT_EQ(hashed.label, fmt::format("h:{:016x}", hashed.flow));
  EXPECT_EQ(hashed.label.size(), 18u);
  EXPECT_EQ(hashed.label.find("s3cr3t"), std::string::npos);
  EXPECT_EQ(hashed.label.find("acme"), std::string::npos);
}

TEST_F(FlowKeyTest, LabelsEscapeAndCut) {
  EXPECT_EQ(flow_label("acme", false, 7), "acme");
  EXPECT_EQ(flow_label("a\nb\\c\xff", false, 7), "a\\x0ab\\x5cc\\xff");
  EXPECT_EQ(flow_label(std::string(64, 'x'), false, 7), std::string(64, 'x'));
  EXPECT_EQ(flow_label(std::string(65, 'x'), false, 7), std::string(61, 'x') + "...");
  // An escape is never cut in half: 60 bytes, then a 4-byte escape that does not fit in 61.
  const std::string label = flow_label(std::string(60, 'x') + "\x01yyyy", false, 7);
  EXPECT_EQ(label, std::string(60, 'x') + "...");
  EXPECT_LE(label.size(), 64u);
  EXPECT_EQ(flow_label("acme", true, 0xabcULL), "h:0000000000000abc");
}

TEST_F(FlowKeyTest, ForwardedForIsBelievedOnlyFromTrustedProxies) {
  const auto trusted = flow_address_set({"10.0.0.0/8"});
  request.insert("X-Forwarded-For", "198.51.100.1, 203.0.113.9");
  request.insert("X-Forwarded-For", "10.0.0.2");
  const auto lb = policy::IpAddress::parse("10.0.0.1");
  const auto stranger = policy::IpAddress::parse("203.0.113.50");
  // Behind trusted proxies: the rightmost address that is not one of them.
  EXPECT_EQ(resolve_client_address(request, lb, true, trusted), "203.0.113.9");
  // From anyone else the header is whatever they chose to say: the peer it is.
  EXPECT_EQ(resolve_client_address(request, stranger, false, trusted), "203.0.113.50");
  EXPECT_EQ(resolve_client_address(request, std::nullopt, false, trusted), "");
}

TEST_F(FlowKeyTest, ATrustedProxyWithoutForwardedForIsTheClient) {
  const auto lb = policy::IpAddress::parse("10.0.0.1");
  EXPECT_EQ(resolve_client_address(request, lb, true, flow_address_set({"10.0.0.0/8"})), "10.0.0.1");
}

}  // namespace
}  // namespace levee::http
