// `listener.tls`: off by default, every key read, the cross-key rules, paths resolved against
// the config file, round trip, and which changes a reload takes.

#include <gtest/gtest.h>

#include "config_test_support.h"
#include "proxy/reload.h"

namespace levee::config {
namespace {

using namespace std::chrono_literals;
using testing::load_ok;
using testing::load_one_error;

TEST(TlsConfig, IsOffByDefault) {
  const Config c = load_ok("");
  EXPECT_FALSE(c.listener.tls.enabled());
  EXPECT_EQ(c.listener.tls.min_version, "1.2");
  EXPECT_EQ(c.listener.tls.client_verify, ClientVerify::off);
  EXPECT_EQ(c.listener.tls.handshake_timeout, 10s);
}

TEST(TlsConfig, ReadsEveryKey) {
  const Config c = load_ok(
      "listener:\n  tls:\n    cert_file: /etc/levee/cert.pem\n    key_file: /etc/levee/key.pem\n"
      "    client_ca_file: /etc/levee/ca.pem\n    client_verify: require\n    min_version: \"1.3\"\n"
      "    ciphers: ECDHE-RSA-AES128-GCM-SHA256\n    handshake_timeout: 3s\n");
  const ListenerTlsConfig& tls = c.listener.tls;
  EXPECT_TRUE(tls.enabled());
  EXPECT_EQ(tls.cert_file, "/etc/levee/cert.pem");
  EXPECT_EQ(tls.key_file, "/etc/levee/key.pem");
  EXPECT_EQ(tls.client_ca_file, "/etc/levee/ca.pem");
  EXPECT_EQ(tls.client_verify, ClientVerify::require);
  EXPECT_EQ(tls.min_version, "1.3");
  EXPECT_EQ(tls.ciphers, "ECDHE-RSA-AES128-GCM-SHA256");
  EXPECT_EQ(tls.handshake_timeout, 3s);
}

TEST(TlsConfig, RelativePathsAreRelativeToTheConfigFile) {
  testing::TempDir dir;
  const std::string path = dir.write("conf/levee.yaml", "listener:\n  tls: {cert_file: certs/a.pem, key_file: /abs/a.key}\n");
  const LoadResult result = load_file(path, testing::env_with());
  ASSERT_TRUE(result.ok()) << testing::describe(result.errors);
  EXPECT_EQ(result.config->listener.tls.cert_file, (dir.path() / "conf" / "certs" / "a.pem").string());
  EXPECT_EQ(result.config->listener.tls.key_file, "/abs/a.key");
}

TEST(TlsConfig, NeedsBothCertificateAndKey) {
  const ConfigError e = load_one_error("listener:\n  tls:\n    cert_file: a.pem\n");
  EXPECT_EQ(e.key_path, "listener.tls.key_file");
  EXPECT_NE(e.message.find("required"), std::string::npos) << e.message;
  EXPECT_EQ(e.line, 3);  // where the tls map starts
}

TEST(TlsConfig, RefusesOldVersionsAndUnknownWords) {
  ConfigError e = load_one_error("listener:\n  tls: {cert_file: a.pem, key_file: a.key, min_version: \"1.1\"}\n");
  EXPECT_EQ(e.key_path, "listener.tls.min_version");
  e = load_one_error("listener:\n  tls: {cert_file: a.pem, key_file: a.key, client_verify: always}\n");
  EXPECT_EQ(e.key_path, "listener.tls.client_verify");
  e = load_one_error("listener:\n  tls: {cert_file: a.pem, key_file: a.key, cert: b.pem}\n");
  EXPECT_EQ(e.key_path, "listener.tls.cert");
  e = load_one_error("listener:\n  tls: {cert_file: a.pem, key_file: a.key, handshake_timeout: 0s}\n");
  EXPECT_EQ(e.key_path, "listener.tls.handshake_timeout");
}

TEST(TlsConfig, ClientVerificationNeedsACaAndACaNeedsVerification) {
  ConfigError e = load_one_error("listener:\n  tls: {cert_file: a.pem, key_file: a.key, client_verify: optional}\n");
  EXPECT_EQ(e.key_path, "listener.tls.client_verify");
  EXPECT_NE(e.message.find("client_ca_file"), std::string::npos) << e.message;
  e = load_one_error("listener:\n  tls: {cert_file: a.pem, key_file: a.key, client_ca_file: ca.pem}\n");
  EXPECT_EQ(e.key_path, "listener.tls.client_ca_file");
}

TEST(TlsConfig, SurvivesARoundTrip) {
  const Config c = load_ok(
      "listener:\n  tls: {cert_file: a.pem, key_file: a.key, client_ca_file: ca.pem, client_verify: optional, "
      "min_version: \"1.3\", handshake_timeout: 2s}\n");
  const Config again = load_ok(to_yaml(c));
  EXPECT_EQ(again.listener.tls, c.listener.tls);
}

TEST(TlsConfig, AReloadTakesNewFilesAndSettingsButNotTurningTlsOnOrOff) {
  const Config plain = load_ok("");
  const Config tls = load_ok("listener:\n  tls: {cert_file: a.pem, key_file: a.key}\n");
  const Config other = load_ok("listener:\n  tls: {cert_file: b.pem, key_file: b.key, min_version: \"1.3\"}\n");
  EXPECT_EQ(restart_required(tls, other), std::nullopt);
  EXPECT_EQ(restart_required(tls, tls), std::nullopt);
  EXPECT_EQ(restart_required(plain, tls), "listener.tls (on or off)");
  EXPECT_EQ(restart_required(tls, plain), "listener.tls (on or off)");
  const Config moved = load_ok("listener:\n  address: 127.0.0.1:9\n  tls: {cert_file: b.pem, key_file: b.key}\n");
  EXPECT_EQ(restart_required(tls, moved), "listener");
}

TEST(TlsConfig, UpstreamTlsIsOffByDefaultAndReadsEveryKey) {
  Config c = load_ok("");
  EXPECT_FALSE(c.upstreams[0].tls.enabled);
  EXPECT_TRUE(c.upstreams[0].tls.verify);
  c = load_ok("upstreams:\n  - name: app\n    address: app.internal:443\n"
              "    tls: {enabled: true, ca_file: /etc/ca.pem, server_name: app.example, verify: false}\n");
  const UpstreamTlsConfig& tls = c.upstreams[0].tls;
  EXPECT_TRUE(tls.enabled);
  EXPECT_EQ(tls.ca_file, "/etc/ca.pem");
  EXPECT_EQ(tls.server_name, "app.example");
  EXPECT_FALSE(tls.verify);
  const Config again = load_ok(to_yaml(c));
  EXPECT_EQ(again.upstreams[0].tls, tls);
  const ConfigError e = load_one_error("upstreams:\n  - name: app\n    address: a:1\n    tls: {enabled: yes please}\n");
  EXPECT_EQ(e.key_path, "upstreams[0].tls.enabled");
}

TEST(TlsConfig, AnUpstreamCaFileIsRelativeToTheConfigFile) {
  testing::TempDir dir;
  const std::string path = dir.write(
      "conf/levee.yaml", "upstreams:\n  - name: app\n    address: a:1\n    tls: {enabled: true, ca_file: ca.pem}\n");
  const LoadResult result = load_file(path, testing::env_with());
  ASSERT_TRUE(result.ok()) << testing::describe(result.errors);
  EXPECT_EQ(result.config->upstreams[0].tls.ca_file, (dir.path() / "conf" / "ca.pem").string());
}

}  // namespace
}  // namespace levee::config
