#include "proxy/http/client_trust.h"

#include <gtest/gtest.h>

#include "proxy/http/request_class.h"

namespace levee::http {
namespace {
namespace bh = boost::beast::http;

constexpr std::string_view kSecret = "0123456789abcdef0123";

policy::AddressSet set_of(std::initializer_list<std::string_view> texts) {
  std::vector<policy::AddressRange> ranges;
  for (const auto text : texts) ranges.push_back(*policy::parse_address_range(text).range);
  return policy::AddressSet(std::move(ranges));
}

std::optional<policy::IpAddress> ip(std::string_view text) { return policy::IpAddress::parse(text); }

struct ClientTrustTest : ::testing::Test {
  ClientTrustTest() {
    request.method(bh::verb::get);
    request.target("/");
    request.set(bh::field::host, "svc.local");
    config.priority_trust.peers = set_of({"10.0.0.0/8"});
    config.priority_trust.secret_header = "levee-trust";
    config.priority_trust.secret = "${SECRET}";
    config.priority_trust.secret_value = std::string(kSecret);
    config.trusted_proxies = set_of({"192.168.0.0/16", "fd00::/8"});
    route.priority = policy::Priority::normal;
  }

  // Trust applied, then classified: what levee would admit the request as.
  policy::Priority admitted_as(const std::optional<policy::IpAddress>& peer) {
    apply_client_trust(request, peer, config, route);
    return classify_request(request, route, config.request_headers).priority;
  }

  RequestHeader request;
  config::Config config;
  config::RouteConfig route;
};

TEST_F(ClientTrustTest, AnyoneMayLowerTheirPriority) {
  request.set("levee-priority", "sheddable");
  EXPECT_EQ(admitted_as(ip("203.0.113.5")), policy::Priority::sheddable);
  EXPECT_EQ(request["levee-priority"], "sheddable");
}

TEST_F(ClientTrustTest, AnUntrustedRaiseGetsTheRouteClassAndTheServiceIsToldSo) {
  request.set("levee-priority", "critical");
  EXPECT_EQ(admitted_as(ip("203.0.113.5")), policy::Priority::normal);
  EXPECT_EQ(request["levee-priority"], "default");
}

TEST_F(ClientTrustTest, ASheddableRouteCannotBeRaisedToDefaultEither) {
  route.priority = policy::Priority::sheddable;
  request.set("levee-priority", "default");
  EXPECT_EQ(admitted_as(ip("203.0.113.5")), policy::Priority::sheddable);
  EXPECT_EQ(request["levee-priority"], "sheddable");
}

TEST_F(ClientTrustTest, UnknownWordsAndRepeatedFieldsFromAnUntrustedClientBecomeOneKnownClass) {
  request.set("levee-priority", "Critical");  // levee ignores it; a service might not
  request.insert("levee-priority", "critical");
  EXPECT_EQ(admitted_as(ip("203.0.113.5")), policy::Priority::normal);
  EXPECT_EQ(request.count("levee-priority"), 1u);
  EXPECT_EQ(request["levee-priority"], "default");
}

TEST_F(ClientTrustTest, APeerInPriorityTrustPeersMayRaise) {
  request.set("levee-priority", "critical");
  EXPECT_EQ(admitted_as(ip("10.3.2.1")), policy::Priority::critical);
  EXPECT_EQ(request["levee-priority"], "critical");
}

TEST_F(ClientTrustTest, TheSharedSecretLetsAnyPeerRaiseAndNeverReachesTheService) {
  request.set("levee-priority", "critical");
  request.set("Levee-Trust", kSecret);
  const ClientTrust trust = apply_client_trust(request, ip("203.0.113.5"), config, route);
  EXPECT_TRUE(trust.may_raise_priority);
  EXPECT_EQ(request.find("levee-trust"), request.end());
  EXPECT_EQ(classify_request(request, route, config.request_headers).priority, policy::Priority::critical);
}

TEST_F(ClientTrustTest, AWrongOrPartialSecretEarnsNothingAndIsStrippedToo) {
  for (const std::string& guess : {std::string("wrong"), std::string(kSecret.substr(0, 19)), std::string(kSecret) + "x",
                                  std::string()}) {
    RequestHeader attempt = request;
    attempt.set("levee-priority", "critical");
    attempt.set("levee-trust", guess);
    const ClientTrust trust = apply_client_trust(attempt, ip("203.0.113.5"), config, route);
    EXPECT_FALSE(trust.may_raise_priority) << guess;
    EXPECT_EQ(attempt.find("levee-trust"), attempt.end()) << guess;
    EXPECT_EQ(attempt["levee-priority"], "default") << guess;
  }
}

TEST_F(ClientTrustTest, WithoutAConfiguredSecretTheHeaderIsJustAHeader) {
  config.priority_trust = {};
  request.set("levee-priority", "critical");
  request.set("levee-trust", "");
  const ClientTrust trust = apply_client_trust(request, ip("10.3.2.1"), config, route);
  EXPECT_FALSE(trust.may_raise_priority);
  EXPECT_NE(request.find("levee-trust"), request.end());  // not levee's: forwarded
  EXPECT_EQ(request["levee-priority"], "default");
}

TEST_F(ClientTrustTest, TrustedProxyVerdictComesFromTheConfiguredProxiesOnly) {
  EXPECT_TRUE(apply_client_trust(request, ip("192.168.7.7"), config, route).trusted_proxy);
  EXPECT_TRUE(apply_client_trust(request, ip("fd00::7"), config, route).trusted_proxy);
  EXPECT_TRUE(apply_client_trust(request, ip("::ffff:192.168.7.7"), config, route).trusted_proxy);
  EXPECT_FALSE(apply_client_trust(request, ip("10.3.2.1"), config, route).trusted_proxy);  // a priority peer, not a proxy
  EXPECT_FALSE(apply_client_trust(request, ip("192.169.0.1"), config, route).trusted_proxy);
}

TEST_F(ClientTrustTest, AnUnknownPeerIsTrustedForNothing) {
  request.set("levee-priority", "critical");
  const ClientTrust trust = apply_client_trust(request, std::nullopt, config, route);
  EXPECT_FALSE(trust.trusted_proxy);
  EXPECT_FALSE(trust.may_raise_priority);
  EXPECT_EQ(request["levee-priority"], "default");
}

TEST_F(ClientTrustTest, APriorityHeaderTurnedOffIsLeftForTheService) {
  config.request_headers.priority.clear();
  request.set("levee-priority", "critical");
  apply_client_trust(request, ip("203.0.113.5"), config, route);
  EXPECT_EQ(request["levee-priority"], "critical");
  EXPECT_EQ(classify_request(request, route, config.request_headers).priority, policy::Priority::normal);
}

}  // namespace
}  // namespace levee::http
