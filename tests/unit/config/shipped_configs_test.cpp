// The configuration files shipped in config/ load, and say what they claim to.

#include <algorithm>
#include <filesystem>

#include <gtest/gtest.h>

#include "config_test_support.h"

namespace levee::config {
namespace {

using namespace std::chrono_literals;
using testing::describe;
using testing::env_with;
using testing::group;

namespace fs = std::filesystem;

const fs::path kConfigDir = fs::path(LEVEE_SOURCE_DIR) / "config";

Config load_shipped(const fs::path& path, const EnvLookup& env = env_with()) {
  const LoadResult result = load_file(path.string(), env);
  EXPECT_TRUE(result.ok()) << path << ":\n" << describe(result.errors);
  return result.ok() ? *result.config : Config{};
}

std::vector<fs::path> examples() {
  std::vector<fs::path> out;
  for (const auto& entry : fs::directory_iterator(kConfigDir / "examples")) {
    if (entry.path().extension() == ".yaml") out.push_back(entry.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

const RouteConfig* route(const Config& c, std::string_view name) {
  for (const auto& r : c.routes) {
    if (r.name == name) return &r;
  }
  return nullptr;
}

TEST(ShippedConfigs, DefaultConfigLoadsAndSpellsOutTheDefaults) {
  const Config c = load_shipped(kConfigDir / "levee.yaml");
  EXPECT_EQ(c.server, ServerConfig{});
  const ListenerConfig defaults;  // named: GCC 12 wrongly warns maybe-uninitialized on a temporary
  EXPECT_EQ(c.listener, defaults);
  EXPECT_EQ(c.admin, AdminConfig{});
  EXPECT_EQ(c.logging, LoggingConfig{});
  EXPECT_EQ(c.request_headers, RequestHeadersConfig{});
  EXPECT_EQ(c.priority_trust, PriorityTrustConfig{});
  EXPECT_TRUE(c.trusted_proxies.empty());
  EXPECT_TRUE(c.admission.enabled);
  EXPECT_EQ(c.admission.defaults, policy::AdmissionSettings{});  // the file documents the real defaults

  ASSERT_EQ(c.upstreams.size(), 1u);
  EXPECT_EQ(c.upstreams[0].name, "service");
  EXPECT_EQ(c.upstreams[0].address, (Endpoint{"127.0.0.1", 8081}));
  EXPECT_FALSE(c.upstreams[0].health_check.enabled());  // the shipped file only shows it, commented
  ASSERT_EQ(c.routes.size(), 1u);
  EXPECT_EQ(c.routes[0].name, "default");
  EXPECT_EQ(c.routes[0].path_prefix, "/");
  EXPECT_EQ(c.routes[0].upstream, "service");
  EXPECT_EQ(c.shed_response.status, 429u);
  EXPECT_EQ(c.shed_response.sorry_page, "sorry.html");
  EXPECT_NE(c.shed_response.sorry_page_html.find("<html"), std::string::npos);
}

TEST(ShippedConfigs, DefaultConfigAddressesFollowTheEnvironment) {
  // scripts/overload-demo.sh and the container image move levee with these, port 0 included.
  const Config c = load_shipped(kConfigDir / "levee.yaml", env_with({{"LEVEE_UPSTREAM", "app.internal:9000"},
                                                                     {"LEVEE_LISTEN", "127.0.0.1:0"},
                                                                     {"LEVEE_ADMIN", "127.0.0.1:0"}}));
  ASSERT_EQ(c.upstreams.size(), 1u);
  EXPECT_EQ(c.upstreams[0].address, (Endpoint{"app.internal", 9000}));
  EXPECT_EQ(c.listener.address, (Endpoint{"127.0.0.1", 0}));
  EXPECT_EQ(c.admin.address, (Endpoint{"127.0.0.1", 0}));
}

TEST(ShippedConfigs, EveryExampleLoadsAndRoundTrips) {
  const std::vector<fs::path> files = examples();
  EXPECT_GE(files.size(), 5u);
  std::vector<fs::path> all = files;
  all.push_back(kConfigDir / "levee.yaml");
  for (const fs::path& path : all) {
    SCOPED_TRACE(path.string());
    const Config c = load_shipped(path);
    const LoadResult again = load_string(to_yaml(c), c.source, env_with());
    ASSERT_TRUE(again.ok()) << describe(again.errors);
    EXPECT_EQ(*again.config, c);
  }
}

TEST(ShippedConfigs, FixedLimitExample) {
  const Config c = load_shipped(kConfigDir / "examples" / "fixed-limit.yaml");
  EXPECT_EQ(c.admission.defaults.limit.kind, policy::LimitKind::fixed);
  EXPECT_EQ(c.admission.defaults.limit.initial, 16u);
  EXPECT_EQ(c.admission.defaults.queue.max_length, 32u);
  EXPECT_EQ(c.admission.defaults.queue.max_wait, 500ms);
  EXPECT_FALSE(c.shed_response.sorry_page_html.empty());
}

TEST(ShippedConfigs, MultiRouteExample) {
  const Config c = load_shipped(kConfigDir / "examples" / "multi-route.yaml");
  const RouteConfig* api = route(c, "api");
  const RouteConfig* search = route(c, "search");
  const RouteConfig* statics = route(c, "static");
  const RouteConfig* checkout = route(c, "checkout");
  ASSERT_TRUE(api && search && statics && checkout);
  EXPECT_EQ(api->admission_group, search->admission_group);
  const AdmissionGroupConfig* shared = group(c, api->admission_group);
  ASSERT_NE(shared, nullptr);
  EXPECT_FALSE(shared->route_owned);
  EXPECT_EQ(statics->priority, policy::Priority::sheddable);
  EXPECT_EQ(checkout->priority, policy::Priority::critical);
  EXPECT_EQ(checkout->timeout, Duration(5s));
  const AdmissionGroupConfig* own = group(c, "checkout");
  ASSERT_NE(own, nullptr);
  EXPECT_TRUE(own->route_owned);
}

TEST(ShippedConfigs, DryRunExample) {
  const Config c = load_shipped(kConfigDir / "examples" / "dry-run.yaml");
  EXPECT_TRUE(c.admission.defaults.dry_run);
  for (const auto& g : c.admission.groups) EXPECT_TRUE(g.settings.dry_run) << g.name;
}

TEST(ShippedConfigs, RetriesExample) {
  const Config c = load_shipped(kConfigDir / "examples" / "retries.yaml");
  ASSERT_FALSE(c.routes.empty());
  const RetryConfig& retry = c.routes[0].retry;
  EXPECT_EQ(retry.attempts, 3u);
  EXPECT_EQ(retry.retry_on, (std::vector<RetryOn>{RetryOn::connect_failure, RetryOn::reset, RetryOn::status}));
  EXPECT_DOUBLE_EQ(retry.budget.ratio, 0.1);
}

TEST(ShippedConfigs, KubernetesExample) {
  const fs::path path = kConfigDir / "examples" / "kubernetes.yaml";
  const Config c = load_shipped(path);
  EXPECT_EQ(c.listener.address, (Endpoint{"0.0.0.0", 8080}));
  EXPECT_EQ(c.admin.address, (Endpoint{"0.0.0.0", 9901}));
  EXPECT_EQ(c.server.drain_delay, 5s);
  ASSERT_EQ(c.upstreams.size(), 1u);
  EXPECT_EQ(c.upstreams[0].address, (Endpoint{"127.0.0.1", 8081}));
  EXPECT_EQ(c.upstreams[0].health_check.path, "/healthz");  // readiness follows the app
  EXPECT_EQ(load_shipped(path, env_with({{"APP_PORT", "3000"}})).upstreams[0].address, (Endpoint{"127.0.0.1", 3000}));
}

}  // namespace
}  // namespace levee::config
