// Whom levee believes: `trusted_proxies:`, `priority_trust:` and `admin.token_file`, and the route
// paths it matches.

#include <gtest/gtest.h>

#include "config_test_support.h"

namespace levee::config {
namespace {

using testing::describe;
using testing::env_with;
using testing::load;
using testing::load_ok;
using testing::load_one_error;
using testing::TempDir;
using testing::contains;

constexpr std::string_view kSecret = "0123456789abcdef0123";  // 20 bytes

TEST(TrustedProxies, NobodyByDefault) {
  const Config c = load_ok("");
  EXPECT_TRUE(c.trusted_proxies.empty());
  EXPECT_EQ(c.priority_trust, PriorityTrustConfig{});
}

TEST(TrustedProxies, ReadsIpv4AndIpv6CidrsAndSingleAddresses) {
  const Config c = load_ok("trusted_proxies: [10.0.0.0/8, \"fd00::/8\", 127.0.0.1, \"::1\"]\n");
  EXPECT_TRUE(c.trusted_proxies.contains("10.20.30.40"));
  EXPECT_TRUE(c.trusted_proxies.contains("fd00:1::2"));
  EXPECT_TRUE(c.trusted_proxies.contains("127.0.0.1"));
  EXPECT_TRUE(c.trusted_proxies.contains("::1"));
  EXPECT_FALSE(c.trusted_proxies.contains("127.0.0.2"));
  EXPECT_FALSE(c.trusted_proxies.contains("192.0.2.1"));
}

TEST(TrustedProxies, ABadEntryNamesItsLineAndIndex) {
  const ConfigError e = load_one_error("trusted_proxies:\n  - 10.0.0.0/8\n  - 10.1.2.3/8\n");
  EXPECT_EQ(e.file, "test.yaml");
  EXPECT_EQ(e.line, 3);
  EXPECT_EQ(e.key_path, "trusted_proxies[1]");
  EXPECT_TRUE(contains(e.message, "write the network (10.0.0.0/8)")) << e.message;
}

TEST(TrustedProxies, NamesAreNotAddresses) {
  const ConfigError e = load_one_error("trusted_proxies: [lb.internal]\n");
  EXPECT_EQ(e.key_path, "trusted_proxies[0]");
  EXPECT_TRUE(contains(e.message, "CIDR like 10.0.0.0/8")) << e.message;
}

TEST(TrustedProxies, ASingleValueIsNotAList) {
  const ConfigError e = load_one_error("trusted_proxies: 10.0.0.0/8\n");
  EXPECT_EQ(e.key_path, "trusted_proxies");
  EXPECT_TRUE(contains(e.message, "expected a list")) << e.message;
}

TEST(PriorityTrust, PeersAndASecretFromTheEnvironment) {
  const Config c = load_ok(R"(
priority_trust:
  peers: [10.0.0.0/8]
  secret_header: X-Levee-Trust
  secret: "${PRIORITY_SECRET}"
)",
                           env_with({{"PRIORITY_SECRET", std::string(kSecret)}}));
  EXPECT_TRUE(c.priority_trust.peers.contains("10.1.1.1"));
  EXPECT_EQ(c.priority_trust.secret_header, "X-Levee-Trust");
  EXPECT_EQ(c.priority_trust.secret, "${PRIORITY_SECRET}");
  EXPECT_EQ(c.priority_trust.secret_value, kSecret);
}

TEST(PriorityTrust, ASecretWrittenInTheFileIsRefused) {
  const ConfigError e = load_one_error("priority_trust:\n  secret_header: X-T\n  secret: 0123456789abcdef0123\n");
  EXPECT_EQ(e.line, 3);
  EXPECT_EQ(e.key_path, "priority_trust.secret");
  EXPECT_TRUE(contains(e.message, "${VAR}")) << e.message;
  EXPECT_TRUE(contains(e.message, "/config")) << e.message;
}

TEST(PriorityTrust, ASecretFileIsReadRelativeToTheConfigWithoutItsFinalNewline) {
  TempDir dir;
  dir.write("secrets/priority", std::string(kSecret) + "\n");
  const std::string path =
      dir.write("levee.yaml", "priority_trust:\n  secret_header: X-T\n  secret_file: secrets/priority\n");
  const LoadResult result = load_file(path, env_with());
  ASSERT_TRUE(result.ok()) << describe(result.errors);
  EXPECT_EQ(result.config->priority_trust.secret_value, kSecret);
}

TEST(PriorityTrust, AMissingSecretFileIsAnErrorAtItsKey) {
  TempDir dir;
  const std::string path = dir.write("levee.yaml", "priority_trust:\n  secret_header: X-T\n  secret_file: nope\n");
  const LoadResult result = load_file(path, env_with());
  ASSERT_EQ(result.errors.size(), 1u) << describe(result.errors);
  EXPECT_EQ(result.errors[0].line, 3);
  EXPECT_EQ(result.errors[0].key_path, "priority_trust.secret_file");
  EXPECT_TRUE(contains(result.errors[0].message, "cannot read")) << result.errors[0].message;
}

TEST(AdminToken, NoneByDefault) {
  const Config c = load_ok("");
  EXPECT_EQ(c.admin.token_file, "");
  EXPECT_EQ(c.admin.token, "");
}

TEST(AdminToken, ATokenFileIsReadRelativeToTheConfigWithoutItsFinalNewline) {
  TempDir dir;
  dir.write("secrets/admin", std::string(kSecret) + "\r\n");
  const std::string path = dir.write("levee.yaml", "admin:\n  token_file: secrets/admin\n");
  const LoadResult result = load_file(path, env_with());
  ASSERT_TRUE(result.ok()) << describe(result.errors);
  EXPECT_EQ(result.config->admin.token, kSecret);
}

TEST(AdminToken, AMissingTokenFileIsAnErrorAtItsFileAndLine) {
  TempDir dir;
  const std::string path = dir.write("levee.yaml", "admin:\n  enabled: true\n  token_file: nope\n");
  const LoadResult result = load_file(path, env_with());
  ASSERT_EQ(result.errors.size(), 1u) << describe(result.errors);
  EXPECT_TRUE(contains(result.errors[0].file, "levee.yaml")) << result.errors[0].file;
  EXPECT_EQ(result.errors[0].line, 3);
  EXPECT_EQ(result.errors[0].key_path, "admin.token_file");
  EXPECT_TRUE(contains(result.errors[0].message, "cannot read")) << result.errors[0].message;
}

TEST(AdminToken, AShortTokenIsRefused) {
  TempDir dir;
  dir.write("admin.token", "only15bytes-abc\n");
  const std::string path = dir.write("levee.yaml", "admin:\n  token_file: admin.token\n");
  const LoadResult result = load_file(path, env_with());
  ASSERT_EQ(result.errors.size(), 1u) << describe(result.errors);
  EXPECT_EQ(result.errors[0].line, 2);
  EXPECT_EQ(result.errors[0].key_path, "admin.token_file");
  EXPECT_TRUE(contains(result.errors[0].message, "at least 16")) << result.errors[0].message;
}

TEST(PriorityTrust, ASecretAndItsHeaderComeTogether) {
  const auto env = env_with({{"S", std::string(kSecret)}});
  const ConfigError no_header = load_one_error("priority_trust:\n  secret: ${S}\n", env);
  EXPECT_EQ(no_header.key_path, "priority_trust.secret_header");
  EXPECT_EQ(no_header.line, 2);  // where the section starts: the key is missing
  EXPECT_TRUE(contains(no_header.message, "missing")) << no_header.message;

  const ConfigError no_secret = load_one_error("priority_trust:\n  secret_header: X-T\n");
  EXPECT_EQ(no_secret.key_path, "priority_trust.secret_header");
  EXPECT_EQ(no_secret.line, 2);
  EXPECT_TRUE(contains(no_secret.message, "secret_file")) << no_secret.message;
}

TEST(PriorityTrust, EitherTheEnvironmentOrAFileNotBoth) {
  const ConfigError e = load_one_error("priority_trust:\n  secret_header: X-T\n  secret: ${S}\n  secret_file: f\n",
                                       env_with({{"S", std::string(kSecret)}}));
  EXPECT_EQ(e.key_path, "priority_trust.secret_file");
  EXPECT_EQ(e.line, 4);
}

TEST(PriorityTrust, AGuessableOrUnsendableSecretIsRefused) {
  const std::string yaml = "priority_trust:\n  secret_header: X-T\n  secret: ${S}\n";
  const ConfigError short_secret = load_one_error(yaml, env_with({{"S", "hunter2"}}));
  EXPECT_EQ(short_secret.key_path, "priority_trust.secret");
  EXPECT_TRUE(contains(short_secret.message, "at least 16")) << short_secret.message;
  const ConfigError empty = load_one_error(yaml, env_with({{"S", ""}}));
  EXPECT_TRUE(contains(empty.message, "at least 16")) << empty.message;
  const ConfigError spaced = load_one_error(yaml, env_with({{"S", "0123456789 abcdef0123"}}));
  EXPECT_TRUE(contains(spaced.message, "visible ASCII")) << spaced.message;
}

TEST(PriorityTrust, TheSecretHeaderIsAHeaderOfItsOwn) {
  const ConfigError e = load_one_error("priority_trust:\n  secret_header: LEVEE-Priority\n  secret: ${S}\n",
                                       env_with({{"S", std::string(kSecret)}}));
  EXPECT_EQ(e.key_path, "priority_trust.secret_header");
  EXPECT_TRUE(contains(e.message, "request_headers")) << e.message;
  const ConfigError bad_name = load_one_error("priority_trust:\n  secret_header: \"X T\"\n");
  EXPECT_EQ(bad_name.key_path, "priority_trust.secret_header");
}

TEST(PriorityTrust, ToYamlWritesWhereTheSecretComesFromNeverTheSecret) {
  const auto env = env_with({{"PRIORITY_SECRET", std::string(kSecret)}});
  const Config c = load_ok("priority_trust:\n  secret_header: X-T\n  secret: \"${PRIORITY_SECRET}\"\n", env);
  const std::string yaml = to_yaml(c);
  EXPECT_FALSE(contains(yaml, kSecret)) << yaml;
  EXPECT_TRUE(contains(yaml, "${PRIORITY_SECRET}")) << yaml;
  const LoadResult again = load(yaml, env);
  ASSERT_TRUE(again.ok()) << describe(again.errors) << yaml;
  EXPECT_EQ(*again.config, c);
}

TEST(RoutePaths, APrefixThatIsNotANormalPathIsRefusedWithItsNormalForm) {
  const ConfigError dots = load_one_error("routes:\n  - name: a\n    path_prefix: /api/../x\n");
  EXPECT_EQ(dots.line, 3);
  EXPECT_EQ(dots.key_path, "routes[0].path_prefix");
  EXPECT_TRUE(contains(dots.message, "write '/x'")) << dots.message;
  const ConfigError encoded = load_one_error("routes:\n  - name: a\n    path_prefix: /%7Euser\n");
  EXPECT_TRUE(contains(encoded.message, "write '/~user'")) << encoded.message;
  const ConfigError slash = load_one_error("routes:\n  - name: a\n    path_prefix: /a%2Fb\n");
  EXPECT_TRUE(contains(slash.message, "can never match")) << slash.message;
  const ConfigError query = load_one_error("routes:\n  - name: a\n    path_prefix: /a?b\n");
  EXPECT_TRUE(contains(query.message, "without a query")) << query.message;
}

}  // namespace
}  // namespace levee::config
