// to_yaml(): the effective config reads back as the same Config.

#include <gtest/gtest.h>

#include "config_test_support.h"

namespace levee::config {
namespace {

using testing::describe;
using testing::env_with;
using testing::TempDir;

// Sets every key the loader knows to a value other than its default.
constexpr std::string_view kEverything = R"(
server:
  threads: 4
  cpu_affinity: "0-1,3"
  drain_timeout: 20s
  drain_delay: 1.5s
listener:
  address: "0.0.0.0:${PORT:-8443}"
  max_connections: 5000
  max_connections_per_client: 50
  max_header_bytes: 32KiB
  max_body_bytes: 10MB
  header_timeout: 5s
  idle_timeout: 2m
  body_timeout: 250ms
  min_transfer_rate: 2KiB
  transfer_rate_window: 3s
  transfer_rate_grace: 0s
  max_transfer_time: 10m
  http2:
    enabled: true
    h2c: true
    max_concurrent_streams: 250
    initial_window_size: 256KiB
    connection_window_size: 4MiB
    max_header_list_size: 32KiB
    abuse:
      window: 2s
      max_resets_per_window: 50
      max_reset_ratio: 0.25
      reset_ratio_min_streams: 400
      max_settings_per_window: 10
      max_pings_per_window: 5
      max_priority_per_window: 100
      max_empty_data_per_window: 40
      max_window_updates_per_window: 300
      max_continuations: 4
      max_header_block_bytes: 48KiB
admin:
  enabled: false
  address: "[::1]:9902"
  token_file: admin.token
logging:
  level: debug
  access_log: "/var/log/levee/$$HOME-${SUFFIX}.log"
  access_log_format: json
upstreams:
  - name: app
    address: localhost:8081
    max_connections: 64
    connect_timeout: 100ms
    response_timeout: 10s
    idle_timeout: 90s
  - name: search.v2
    address: 10.0.0.7:9200
admission:
  enabled: true
  limit:
    kind: aimd
    initial: 20
    min: 4
    max: 400
    aimd: {backoff_ratio: 0.75, increase: 1.5, timeout: 2s}
    gradient: {tolerance: 1.3, smoothing: 0.25, long_window: 300, window: 50ms, window_min_samples: 20, probe_interval: 0s}
    knee: {probe_interval: 2s, step: 0.25, phase_samples: 30, tolerance: 1.4}
  queue:
    max_length: 64
    max_wait: 750ms
    order: fifo
    lifo_after: 50ms
    codel_target: 20ms
    codel_interval: 150ms
  critical_reserved_share: 0.15
  retry_budget: {enabled: false, ratio: 0.05, min_per_second: 0.5, window: 5s, max_concurrent: 8}
  collapse: {enabled: false, window: 2s, goodput_drop: 0.4, busy_fraction: 0.7, peak_decay: 0.9, clamp_factor: 0.6, recovery_windows: 4, abandoned_share: 0.3}
  dry_run: true
  estimate_window: 100ms
  retry_after: {min: 2s, max: 1m}
  groups:
    - name: search-shared
      limit: {kind: knee, initial: 12}
      queue: {order: lifo}
      fairness:
        key:
          - header: X-Tenant
          - cookie: session
            hash: true
          - client_address: true
          - query: "t$$"
          - path_segment: 2
        flows:
          - {name: batch, key: "batch-job|||x|y", weight: 2, cap: 20}
          - {name: vip, key: "vip", weight: 8}
        top_flows: 25
        recent_keys: 4096
    - name: other
      dry_run: false
routes:
  - name: api
    host: api.example.com
    path_prefix: /api
    upstream: app
    priority: critical
    timeout: 3s
    admission:
      limit: {initial: 9}
      retry_after: {max: 5s}
      fairness:
        key: {header: Authorization, hash: true}
    retry:
      attempts: 3
      retry_on: [connect_failure, reset, timeout, status]
      statuses: [500, 503]
      per_try_timeout: 800ms
      backoff_base: 10ms
      backoff_max: 1s
      max_buffered_body: 1.5MiB
      budget: {ratio: 0.2, min_per_second: 2, window: 20s, max_concurrent: 4}
  - name: search
    path_prefix: /search
    upstream: search.v2
    priority: sheddable
    admission_group: search-shared
  - name: suggest
    path_prefix: /suggest
    upstream: search.v2
    admission_group: search-shared
    retry:
      retry_on: []
      max_buffered_body: 0
  - name: rest
    path_prefix: /
    upstream: app
    priority: normal
shed_response:
  status: 503
  sorry_page: page.html
request_headers:
  retry: X-Retry$$
  priority: ""
  deadline: X-Deadline
  idempotency_key: X-Idem
priority_trust:
  peers: [10.0.0.0/8, "fd00::/8", 192.0.2.7]
  secret_header: X-Levee-Trust
  secret_file: priority.secret
trusted_proxies:
  - 10.1.0.0/16
  - "::1"
  - 2001:db8::/32
)";

TEST(ToYaml, RoundTripsAConfigUsingEveryKey) {
  TempDir dir;
  dir.write("page.html", "<p>sorry</p>");
  dir.write("priority.secret", "0123456789abcdef0123\n");
  dir.write("admin.token", "fedcba9876543210fedc\n");
  const std::string first_path = dir.write("first.yaml", kEverything);
  const LoadResult first = load_file(first_path, env_with({{"SUFFIX", "x"}}));
  ASSERT_TRUE(first.ok()) << describe(first.errors);
  const Config& c = *first.config;

  // Spot checks that the input really is what the test claims.
  EXPECT_EQ(c.listener.address, (Endpoint{"0.0.0.0", 8443}));
  EXPECT_EQ(c.admin.address, (Endpoint{"::1", 9902}));
  EXPECT_EQ(c.admin.token, "fedcba9876543210fedc");
  EXPECT_EQ(c.listener.max_connections_per_client, 50u);
  EXPECT_EQ(c.listener.min_transfer_rate, 2048u);
  EXPECT_EQ(c.listener.transfer_rate_grace, Duration::zero());
  EXPECT_EQ(c.listener.max_transfer_time, std::chrono::minutes(10));
  EXPECT_EQ(c.logging.access_log, "/var/log/levee/$HOME-x.log");
  EXPECT_EQ(c.logging.access_log_format, AccessLogFormat::json);
  EXPECT_EQ(c.request_headers.retry, "X-Retry$");
  EXPECT_EQ(c.request_headers.priority, "");
  EXPECT_TRUE(c.routes[2].retry.retry_on.empty());
  EXPECT_EQ(c.shed_response.sorry_page_html, "<p>sorry</p>");
  ASSERT_EQ(c.admission.groups.size(), 4u);  // 2 shared + api + rest
  EXPECT_EQ(c.priority_trust.secret_value, "0123456789abcdef0123");
  EXPECT_TRUE(c.trusted_proxies.contains("2001:db8::5"));

  const std::string yaml = to_yaml(c);
  // Written next to the first file, so the relative sorry page resolves to the same file.
  const std::string second_path = dir.write("second.yaml", yaml);
  // An empty environment: nothing in the output may depend on it any more.
  const LoadResult second = load_file(second_path, env_with());
  ASSERT_TRUE(second.ok()) << describe(second.errors) << "\n" << yaml;

  Config reloaded = *second.config;
  EXPECT_EQ(reloaded.source, second_path);
  reloaded.source = c.source;
  EXPECT_EQ(reloaded.server, c.server);
  EXPECT_EQ(reloaded.listener, c.listener);
  EXPECT_EQ(reloaded.admin, c.admin);
  EXPECT_EQ(reloaded.logging, c.logging);
  EXPECT_EQ(reloaded.upstreams, c.upstreams);
  EXPECT_EQ(reloaded.routes, c.routes);
  EXPECT_EQ(reloaded.admission, c.admission);
  EXPECT_EQ(reloaded.shed_response, c.shed_response);
  EXPECT_EQ(reloaded.request_headers, c.request_headers);
  EXPECT_EQ(reloaded.priority_trust, c.priority_trust);
  EXPECT_EQ(reloaded.trusted_proxies, c.trusted_proxies);
  EXPECT_EQ(reloaded, c) << yaml;

  // And the output is a fixed point.
  EXPECT_EQ(to_yaml(reloaded), yaml);
}

TEST(ToYaml, RoundTripsTheDefaults) {
  const LoadResult first = load_string("", "a.yaml", env_with());
  ASSERT_TRUE(first.ok());
  const std::string yaml = to_yaml(*first.config);
  const LoadResult second = load_string(yaml, "a.yaml", env_with());
  ASSERT_TRUE(second.ok()) << describe(second.errors) << "\n" << yaml;
  EXPECT_EQ(*second.config, *first.config) << yaml;
}

TEST(ToYaml, NamesTheSource) {
  const LoadResult result = load_string("", "from-here.yaml", env_with());
  ASSERT_TRUE(result.ok());
  EXPECT_NE(to_yaml(*result.config).find("from-here.yaml"), std::string::npos);
}

// Found by tests/fuzz/config_fuzzer: yaml-cpp writes a byte that is not UTF-8 as U+FFFD, so
// a value holding one came back different from to_yaml. The loader refuses such text, from the
// file or from ${VAR}, and what it accepts still round-trips.
TEST(ToYaml, TextThatIsNotUtf8IsRefusedSoEveryLoadedValueRoundTrips) {
  const LoadResult raw = load_string("logging:\n  access_log: \"log\xE5 file\"\n", "test.yaml", env_with());
  ASSERT_FALSE(raw.ok());
  ASSERT_EQ(raw.errors.size(), 1u) << describe(raw.errors);
  EXPECT_EQ(raw.errors[0].key_path, "logging.access_log");
  EXPECT_NE(raw.errors[0].message.find("UTF-8"), std::string::npos);

  const LoadResult from_env =
      load_string("logging:\n  access_log: ${LOG}\n", "test.yaml", env_with({{"LOG", "\xC0\xAF"}}));
  EXPECT_FALSE(from_env.ok());

  // "/var/log/lévée 🛟": two- and four-byte sequences (split literals end each \x escape).
  const LoadResult unicode = load_string("logging:\n  access_log: \"/var/log/l\xC3\xA9" "v\xC3\xA9" "e \xF0\x9F\x9B\x9F\"\n",
                                         "test.yaml", env_with());
  ASSERT_TRUE(unicode.ok()) << describe(unicode.errors);
  const LoadResult again = load_string(to_yaml(*unicode.config), "test.yaml", env_with());
  ASSERT_TRUE(again.ok()) << describe(again.errors);
  EXPECT_EQ(*again.config, *unicode.config);
}

// Found by tests/fuzz/config_fuzzer: yaml-cpp writes a string holding a control character as a
// plain scalar, so access_log: "\r" came back as an empty value. Such strings are double-quoted.
TEST(ToYaml, TextWithControlCharactersRoundTrips) {
  for (const std::string_view quoted : {"\"\\r\"", "\"a\\tb\"", "\"line\\nbreak\"", "\" lead and trail \""}) {
    const std::string text = "logging:\n  access_log: " + std::string(quoted) + "\n";
    const LoadResult first = load_string(text, "test.yaml", env_with());
    ASSERT_TRUE(first.ok()) << describe(first.errors) << text;
    const std::string yaml = to_yaml(*first.config);
    const LoadResult again = load_string(yaml, "test.yaml", env_with());
    ASSERT_TRUE(again.ok()) << describe(again.errors) << yaml;
    EXPECT_EQ(again.config->logging.access_log, first.config->logging.access_log) << quoted;
  }
}

}  // namespace
}  // namespace levee::config
