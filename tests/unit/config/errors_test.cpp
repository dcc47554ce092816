// How the loader reports mistakes: position, key path, expected form and suggestions.

#include <gtest/gtest.h>

#include "config_test_support.h"

namespace levee::config {
namespace {

using testing::describe;
using testing::env_with;
using testing::load;
using testing::load_ok;
using testing::load_one_error;
using testing::contains;

TEST(ConfigErrors, EmptyTextIsTheDefaultConfig) {
  const Config c = load_ok("");
  EXPECT_EQ(c.source, "test.yaml");
  // A named object: GCC 12 warns (maybe-uninitialized, wrongly) about a temporary this large.
  const ListenerConfig defaults;
  EXPECT_EQ(c.listener, defaults);
  ASSERT_EQ(c.upstreams.size(), 1u);
  EXPECT_EQ(c.upstreams[0].name, "service");
  EXPECT_EQ(c.upstreams[0].address, (Endpoint{"127.0.0.1", 8081}));
  ASSERT_EQ(c.routes.size(), 1u);
  EXPECT_EQ(c.routes[0].name, "default");
  EXPECT_EQ(c.routes[0].upstream, "service");
}

TEST(ConfigErrors, UnknownKeyHasFileLineKeyPathAndSuggestion) {
  const ConfigError e = load_one_error("listener:\n  adress: 0.0.0.0:8080\n");
  EXPECT_EQ(e.file, "test.yaml");
  EXPECT_EQ(e.line, 2);
  EXPECT_EQ(e.column, 3);
  EXPECT_EQ(e.key_path, "listener.adress");
  EXPECT_TRUE(contains(e.message, "unknown key")) << e.message;
  EXPECT_TRUE(contains(e.message, "did you mean 'address'?")) << e.message;
  EXPECT_EQ(e.to_string(), "test.yaml:2:3: listener.adress: unknown key; did you mean 'address'?");
}

TEST(ConfigErrors, UnknownKeyDeepInAdmissionIsFound) {
  const ConfigError e = load_one_error(R"(
admission:
  queue:
    max_lenght: 10
)");
  EXPECT_EQ(e.line, 4);
  EXPECT_EQ(e.key_path, "admission.queue.max_lenght");
  EXPECT_TRUE(contains(e.message, "did you mean 'max_length'?")) << e.message;
}

TEST(ConfigErrors, UnknownKeyInAListItemNamesTheIndex) {
  const ConfigError e = load_one_error(R"(
upstreams:
  - name: a
    address: 127.0.0.1:1
  - name: b
    address: 127.0.0.1:2
    conect_timeout: 1s
routes:
  - name: r
    upstream: a
)");
  EXPECT_EQ(e.line, 7);
  EXPECT_EQ(e.key_path, "upstreams[1].conect_timeout");
  EXPECT_TRUE(contains(e.message, "did you mean 'connect_timeout'?")) << e.message;
}

TEST(ConfigErrors, UnknownKeyFarFromAnyKnownOneListsTheKnownKeys) {
  const ConfigError e = load_one_error("admin:\n  zzzzzzzz: 1\n");
  EXPECT_EQ(e.key_path, "admin.zzzzzzzz");
  EXPECT_TRUE(contains(e.message, "known keys: enabled, address")) << e.message;
}

TEST(ConfigErrors, EveryErrorIsReportedInFileOrder) {
  const LoadResult result = load(R"(
listener:
  idle_timeout: later
admin:
  enabeld: true
logging:
  level: loud
)");
  ASSERT_EQ(result.errors.size(), 3u) << describe(result.errors);
  EXPECT_EQ(result.errors[0].key_path, "listener.idle_timeout");
  EXPECT_EQ(result.errors[1].key_path, "admin.enabeld");
  EXPECT_EQ(result.errors[2].key_path, "logging.level");
  EXPECT_TRUE(contains(result.errors[2].message, "one of trace, debug, info, warn, error, off"));
}

TEST(ConfigErrors, YamlSyntaxErrorHasAPosition) {
  const LoadResult result = load("listener: [unclosed\n");
  ASSERT_FALSE(result.ok());
  ASSERT_FALSE(result.errors.empty());
  EXPECT_GT(result.errors[0].line, 0);
  EXPECT_TRUE(contains(result.errors[0].message, "YAML syntax error")) << result.errors[0].message;
}

// Found by tests/fuzz/config_fuzzer: yaml-cpp 0.7's LoadAll loops forever (growing memory) on a
// stray ','; `levee check` and a reload hung. Now it is a syntax error, returned at once.
TEST(ConfigErrors, StrayCommaIsASyntaxErrorNotAHang) {
  for (const std::string_view text : {",", "\n,\n", "listener:\n  address: 0.0.0.0:8080\n,\n"}) {
    const LoadResult result = load(text);
    ASSERT_FALSE(result.ok()) << text;
    ASSERT_FALSE(result.errors.empty());
    EXPECT_TRUE(contains(result.errors[0].message, "YAML syntax error")) << describe(result.errors);
  }
}

TEST(ConfigErrors, SecondDocumentIsRefused) {
  const ConfigError e = load_one_error("listener:\n  max_connections: 10\n---\nlistener: {}\n");
  EXPECT_EQ(e.line, 3);
  EXPECT_TRUE(contains(e.message, "one YAML document")) << e.message;
}

TEST(ConfigErrors, NoStringBooleans) {
  const ConfigError e = load_one_error("admin:\n  enabled: no\n");
  EXPECT_EQ(e.key_path, "admin.enabled");
  EXPECT_TRUE(contains(e.message, "true or false")) << e.message;
}

// PyYAML and other YAML 1.1 tools write an unquoted `off` back as `false`: a setting whose
// options include off reads it as off; true has no option to stand for here and stays an error.
TEST(ConfigErrors, AnOffOptionWrittenBackAsFalseReadsAsOff) {
  EXPECT_EQ(load_ok("logging:\n  level: false\n").logging.level, "off");
  const ConfigError e = load_one_error("logging:\n  level: true\n");
  EXPECT_EQ(e.key_path, "logging.level");
  EXPECT_TRUE(contains(e.message, "got 'true'")) << e.message;
}

TEST(ConfigEnv, DefaultIsUsedWhenTheVariableIsUnsetOrEmpty) {
  const std::string yaml = "admin:\n  address: \"127.0.0.1:${ADMIN_PORT:-9000}\"\n";
  EXPECT_EQ(load_ok(yaml).admin.address, (Endpoint{"127.0.0.1", 9000}));
  EXPECT_EQ(load_ok(yaml, env_with({{"ADMIN_PORT", ""}})).admin.address, (Endpoint{"127.0.0.1", 9000}));
  EXPECT_EQ(load_ok(yaml, env_with({{"ADMIN_PORT", "9100"}})).admin.address, (Endpoint{"127.0.0.1", 9100}));
}

TEST(ConfigEnv, SetVariableIsSubstituted) {
  const Config c = load_ok("logging:\n  access_log: \"${LOG_DIR}/access.log\"\n", env_with({{"LOG_DIR", "/var/log"}}));
  EXPECT_EQ(c.logging.access_log, "/var/log/access.log");
}

TEST(ConfigEnv, UnsetVariableWithoutDefaultIsAnError) {
  const ConfigError e = load_one_error("logging:\n  access_log: \"${LOG_DIR}/access.log\"\n");
  EXPECT_EQ(e.line, 2);
  EXPECT_EQ(e.key_path, "logging.access_log");
  EXPECT_TRUE(contains(e.message, "environment variable 'LOG_DIR' is not set")) << e.message;
  EXPECT_TRUE(contains(e.message, "${LOG_DIR:-default}")) << e.message;
}

TEST(ConfigErrors, AccessLogFormatIsTextOrJson) {
  EXPECT_EQ(load_ok("logging:\n  access_log: \"-\"\n").logging.access_log_format, AccessLogFormat::text);
  EXPECT_EQ(load_ok("logging:\n  access_log_format: json\n").logging.access_log_format, AccessLogFormat::json);
  const ConfigError e = load_one_error("logging:\n  access_log_format: xml\n");
  EXPECT_EQ(e.key_path, "logging.access_log_format");
  EXPECT_TRUE(contains(e.message, "json")) << e.message;
}

TEST(ConfigEnv, DoubleDollarIsALiteralDollar) {
  EXPECT_EQ(load_ok("logging:\n  access_log: \"/tmp/$${HOME}\"\n").logging.access_log, "/tmp/${HOME}");
}

TEST(ConfigEnv, SubstitutedValueIsStillValidated) {
  const ConfigError e = load_one_error("listener:\n  idle_timeout: \"${IDLE}\"\n", env_with({{"IDLE", "60"}}));
  EXPECT_EQ(e.key_path, "listener.idle_timeout");
  EXPECT_TRUE(contains(e.message, "needs a unit")) << e.message;
}

TEST(ConfigErrors, UnknownUpstreamSuggestsTheNearestName) {
  const ConfigError e = load_one_error(R"(
upstreams:
  - name: backend
    address: 127.0.0.1:1
routes:
  - name: r
    upstream: backnd
)");
  EXPECT_EQ(e.key_path, "routes[0].upstream");
  EXPECT_EQ(e.line, 7);
  EXPECT_TRUE(contains(e.message, "did you mean 'backend'?")) << e.message;
}

TEST(ConfigErrors, RoutesWithTheSameMatchAreRefused) {
  const ConfigError e = load_one_error(R"(
routes:
  - name: a
    path_prefix: /x
  - name: b
    path_prefix: /x
)");
  EXPECT_EQ(e.key_path, "routes[1].path_prefix");
  EXPECT_TRUE(contains(e.message, "never match")) << e.message;
}

TEST(ShedResponse, StatusOtherThan429Or503IsRefused) {
  const ConfigError teapot = load_one_error("shed_response:\n  status: 418\n");
  EXPECT_EQ(teapot.key_path, "shed_response.status");
  EXPECT_EQ(teapot.line, 2);
  EXPECT_TRUE(contains(teapot.message, "418")) << teapot.message;

  const ConfigError between = load_one_error("shed_response:\n  status: 500\n");
  EXPECT_EQ(between.key_path, "shed_response.status");
  EXPECT_TRUE(contains(between.message, "expected 429 or 503")) << between.message;

  EXPECT_EQ(load_ok("shed_response:\n  status: 503\n").shed_response.status, 503u);
  EXPECT_EQ(load_ok("shed_response:\n  status: 429\n").shed_response.status, 429u);
}

TEST(RouteRetry, ReadsEveryKey) {
  const Config c = load_ok(R"(
routes:
  - name: r
    retry:
      attempts: 3
      retry_on: [connect_failure, reset, status]
      statuses: [503]
      per_try_timeout: 2s
      budget:
        ratio: 0.2
)");
  const RetryConfig& retry = c.routes[0].retry;
  EXPECT_EQ(retry.attempts, 3u);
  EXPECT_EQ(retry.retry_on, (std::vector<RetryOn>{RetryOn::connect_failure, RetryOn::reset, RetryOn::status}));
  EXPECT_EQ(retry.statuses, std::vector<unsigned>{503});
  EXPECT_EQ(retry.per_try_timeout, Duration(std::chrono::seconds(2)));
  EXPECT_DOUBLE_EQ(retry.budget.ratio, 0.2);
  EXPECT_EQ(retry.budget.window, policy::RetryBudgetSettings{}.window);
}

TEST(RouteRetry, DefaultIsOneAttemptWithoutPerTryTimeout) {
  const Config c = load_ok("");
  const RetryConfig& retry = c.routes[0].retry;
  EXPECT_EQ(retry, RetryConfig{});
  EXPECT_EQ(retry.attempts, 1u);
  EXPECT_FALSE(retry.per_try_timeout);
}

TEST(RouteRetry, FourXxStatusIsRefused) {
  const ConfigError e = load_one_error(R"(
routes:
  - name: r
    retry:
      statuses: [503, 404]
)");
  EXPECT_EQ(e.key_path, "routes[0].retry.statuses[1]");
  EXPECT_EQ(e.line, 5);
  EXPECT_TRUE(contains(e.message, "expected a 5xx status")) << e.message;
  EXPECT_TRUE(contains(e.message, "'404'")) << e.message;
}

TEST(RouteRetry, UnknownRetryOnWordGetsASuggestion) {
  const ConfigError e = load_one_error(R"(
routes:
  - name: r
    retry:
      retry_on: [connect_failure, rest]
)");
  EXPECT_EQ(e.key_path, "routes[0].retry.retry_on[1]");
  EXPECT_TRUE(contains(e.message, "did you mean 'reset'?")) << e.message;
}

TEST(RouteRetry, BackoffBaseAboveMaxIsRefused) {
  const ConfigError e = load_one_error(R"(
routes:
  - name: r
    retry:
      backoff_base: 1s
      backoff_max: 100ms
)");
  EXPECT_EQ(e.key_path, "routes[0].retry.backoff_base");
}

}  // namespace
}  // namespace levee::config
