// The Grafana dashboard and the Prometheus rules in deploy/ against what a running levee
// exports: every metric they query exists (a renamed family would leave a blank panel or an
// alert that can never fire), and every family levee exports has a panel. levee runs with every
// optional family switched on (health checks, retries, fair admission with a named flow).

#include "support/stack.h"
#include "support/waits.h"

#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>

namespace levee::testing {
namespace {

// Metric names in PromQL (or any text): levee_* and process_* words. Recording-rule names
// carry colons (levee_group:shed:rate2m) and are skipped: the rules file defines them.
std::set<std::string> metric_names_in(const std::string& text) {
  static const std::regex name(R"((?:^|[^A-Za-z0-9_:])((?:levee|process)_[a-z0-9_]+)(?![a-z0-9_:]))");
  std::set<std::string> names;
  for (auto it = std::sregex_iterator(text.begin(), text.end(), name); it != std::sregex_iterator(); ++it)
    names.insert((*it)[1].str());
  return names;
}

// Family names from the exposition's "# TYPE name kind" lines.
std::set<std::string> exported_families(const std::string& exposition) {
  static const std::regex type_line(R"(# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (\w+))");
  std::set<std::string> families;
  for (auto it = std::sregex_iterator(exposition.begin(), exposition.end(), type_line); it != std::sregex_iterator(); ++it)
    families.insert((*it)[1].str());
  return families;
}

// The family a queried series belongs to: histogram series add _bucket, _sum and _count.
std::string family_of(const std::string& series, const std::set<std::string>& families) {
  if (families.count(series)) return series;
  for (const char* suffix : {"_bucket", "_sum", "_count"}) {
    const std::string s(suffix);
    if (series.size() > s.size() && series.compare(series.size() - s.size(), s.size(), s) == 0) {
      const auto base = series.substr(0, series.size() - s.size());
      if (families.count(base)) return base;
    }
  }
  return {};
}

std::string everything_on_config(unsigned short backend_port) {
  return basic_config("127.0.0.1:" + std::to_string(backend_port), "",
                      "    health_check: {path: /, interval: 100ms}\n") +
         "routes:\n"
         "  - name: retrying\n"
         "    path_prefix: /\n"
         "    upstream: backend\n"
         "    retry:\n"
         "      attempts: 2\n"
         "      retry_on: [connect_failure]\n"
         "      budget:\n"
         "        ratio: 0.2\n"
         "        min_per_second: 10\n"
         "admission:\n"
         "  fairness:\n"
         "    key: [{header: X-Tenant}]\n"
         "    flows:\n"
         "      - {name: batch, key: batch-job}\n";
}

class DeployedQueries : public ::testing::Test {
 protected:
  void SetUp() override {
    backend_ = start_backend();
    levee_ = start_levee(everything_on_config(backend_.port));
    // One request per flow, so the fair-admission series exist.
    ASSERT_EQ(fetch(levee_.port, "GET", "/", {}, {{"X-Tenant", "batch-job"}}).status, 200u);
    ASSERT_EQ(fetch(levee_.port, "GET", "/", {}, {{"X-Tenant", "someone"}}).status, 200u);
    families_ = exported_families(fetch(levee_.admin_port, "GET", "/metrics").body);
    ASSERT_GT(families_.size(), 20u);
  }

  void expect_all_exported(const std::string& file) {
    const auto names = metric_names_in(read_file(file));
    EXPECT_GT(names.size(), 5u) << file;
    for (const auto& name : names)
      EXPECT_FALSE(family_of(name, families_).empty()) << file << " queries " << name << ", which levee does not export";
  }

  Backend backend_;
  Levee levee_;
  std::set<std::string> families_;
};

TEST_F(DeployedQueries, TheDashboardQueriesOnlyExportedMetrics) {
  expect_all_exported(LEVEE_SOURCE_DIR "/deploy/grafana/levee-dashboard.json");
}

TEST_F(DeployedQueries, TheRulesQueryOnlyExportedMetrics) {
  expect_all_exported(LEVEE_SOURCE_DIR "/deploy/prometheus/levee-rules.yaml");
}

TEST_F(DeployedQueries, EveryExportedFamilyHasAPanel) {
  const auto on_dashboard = metric_names_in(read_file(LEVEE_SOURCE_DIR "/deploy/grafana/levee-dashboard.json"));
  std::set<std::string> shown;
  for (const auto& name : on_dashboard) shown.insert(family_of(name, families_));
  for (const auto& family : families_) EXPECT_TRUE(shown.count(family)) << family << " has no panel on the dashboard";
}

TEST_F(DeployedQueries, TheDashboardAnnotatesReloadsAndRecoveryEntries) {
  const std::string dashboard = read_file(LEVEE_SOURCE_DIR "/deploy/grafana/levee-dashboard.json");
  const auto annotations = dashboard.substr(dashboard.find("\"annotations\""), dashboard.find("\"links\"") - dashboard.find("\"annotations\""));
  EXPECT_NE(annotations.find("levee_config_reloads_total"), std::string::npos) << annotations;
  EXPECT_NE(annotations.find("levee_admission_recovery_entered_total"), std::string::npos) << annotations;
}

// The reload counter behind the annotation counts applied and refused reloads apart.
TEST_F(DeployedQueries, ReloadsAreCountedByResult) {
  const auto reloads = [&](const char* result) {
    return metric_value(levee_.admin_port, std::string("levee_config_reloads_total{result=\"") + result + "\"}");
  };
  EXPECT_EQ(reloads("applied"), 0);
  EXPECT_EQ(fetch(levee_.admin_port, "POST", "/reload").status, 200u);
  EXPECT_EQ(reloads("applied"), 1);
  EXPECT_EQ(reloads("refused"), 0);
  std::ofstream(levee_.config_path, std::ios::trunc) << "server: [\n";  // not YAML
  EXPECT_NE(fetch(levee_.admin_port, "POST", "/reload").status, 200u);
  EXPECT_EQ(reloads("refused"), 1);
  EXPECT_EQ(reloads("applied"), 1);
}

}  // namespace
}  // namespace levee::testing
