// `upstreams[].protocol`: http1 by default, h2c / h2 (TLS) for HTTP/2 services (gRPC), errors
// named.

#include <gtest/gtest.h>

#include "config_test_support.h"

namespace levee::config {
namespace {

using testing::load_ok;
using testing::load_one_error;

constexpr std::string_view one_upstream = "upstreams:\n  - name: app\n    address: 127.0.0.1:8081\n";

TEST(UpstreamProtocolConfig, Http1ByDefault) {
  const Config c = load_ok(one_upstream);
  EXPECT_EQ(c.upstreams[0].protocol, UpstreamProtocol::http1);
}

TEST(UpstreamProtocolConfig, ReadsH2c) {
  const Config c = load_ok(std::string(one_upstream) + "    protocol: h2c\n");
  EXPECT_EQ(c.upstreams[0].protocol, UpstreamProtocol::h2c);
}

TEST(UpstreamProtocolConfig, ABadValueNamesTheKeyTheLineAndTheChoices) {
  const ConfigError e = load_one_error(std::string(one_upstream) + "    protocol: h2x\n");
  EXPECT_EQ(e.key_path, "upstreams[0].protocol");
  EXPECT_EQ(e.line, 4);
  EXPECT_NE(e.message.find("http1"), std::string::npos) << e.message;
  EXPECT_NE(e.message.find("did you mean 'h2c'"), std::string::npos) << e.message;
}

TEST(UpstreamProtocolConfig, H2cWithTlsIsRefused) {
  const ConfigError e =
      load_one_error(std::string(one_upstream) + "    protocol: h2c\n    tls: {enabled: true, verify: false}\n");
  EXPECT_EQ(e.key_path, "upstreams[0].protocol");
  EXPECT_NE(e.message.find("plain TCP"), std::string::npos) << e.message;
}

TEST(UpstreamProtocolConfig, ReadsH2WithTls) {
  const Config c = load_ok(std::string(one_upstream) + "    protocol: h2\n    tls: {enabled: true, verify: false}\n");
  EXPECT_EQ(c.upstreams[0].protocol, UpstreamProtocol::h2);
}

TEST(UpstreamProtocolConfig, H2WithoutTlsIsRefused) {
  const ConfigError e = load_one_error(std::string(one_upstream) + "    protocol: h2\n");
  EXPECT_EQ(e.key_path, "upstreams[0].protocol");
  EXPECT_NE(e.message.find("h2c"), std::string::npos) << e.message;
}

TEST(UpstreamProtocolConfig, HealthChecksAreRefusedForHttp2Upstreams) {
  const ConfigError e =
      load_one_error(std::string(one_upstream) + "    protocol: h2c\n    health_check: {path: /healthz}\n");
  EXPECT_EQ(e.key_path, "upstreams[0].health_check");
  EXPECT_NE(e.message.find("HTTP/1.1"), std::string::npos) << e.message;
}

TEST(UpstreamProtocolConfig, SurvivesARoundTrip) {
  const Config c = load_ok(std::string(one_upstream) + "    protocol: h2c\n");
  const Config again = load_ok(to_yaml(c));
  EXPECT_EQ(again.upstreams, c.upstreams);
}

}  // namespace
}  // namespace levee::config
