// `admission.fairness`: the flow key's parts, named flows, how groups override the defaults,
// and every way to get it wrong, each reported at its file position.

#include <gtest/gtest.h>

#include "config_test_support.h"

namespace levee::config {
namespace {

using policy::FlowKeyPart;
using policy::FlowKeySource;
using testing::load_ok;
using testing::load_one_error;
using testing::contains;

const policy::AdmissionSettings& group_settings(const Config& c, std::string_view name) {
  for (const auto& group : c.admission.groups)
    if (group.name == name) return group.settings;
  ADD_FAILURE() << "no group " << name;
  return c.admission.defaults;
}

TEST(FairnessConfig, OffByDefault) {
  const Config c = load_ok("");
  EXPECT_FALSE(c.admission.defaults.fairness.enabled());
  EXPECT_EQ(c.admission.defaults.fairness, policy::FairnessSettings{});
}

TEST(FairnessConfig, ReadsEveryPartAndNamedFlows) {
  const Config c = load_ok(R"(
admission:
  fairness:
    key:
      - header: X-Tenant
      - client_address: true
        hash: true
      - query: tenant
      - cookie: session
        hash: true
      - path_segment: 2
    flows:
      - name: batch
        key: "batch-job"
        weight: 1
        cap: 20
      - name: vip
        key: "acme"
        weight: 4
    top_flows: 5
    recent_keys: 4096
)");
  const policy::FairnessSettings& f = c.admission.defaults.fairness;
  ASSERT_EQ(f.key.size(), 5u);
  EXPECT_EQ(f.key[0], (FlowKeySource{FlowKeyPart::header, "X-Tenant", 0, false}));
  EXPECT_EQ(f.key[1], (FlowKeySource{FlowKeyPart::client_address, "", 0, true}));
  EXPECT_EQ(f.key[2], (FlowKeySource{FlowKeyPart::query, "tenant", 0, false}));
  EXPECT_EQ(f.key[3], (FlowKeySource{FlowKeyPart::cookie, "session", 0, true}));
  EXPECT_EQ(f.key[4], (FlowKeySource{FlowKeyPart::path_segment, "", 2, false}));
  ASSERT_EQ(f.flows.size(), 2u);
  EXPECT_EQ(f.flows[0], (policy::NamedFlowSettings{"batch", "batch-job", 1, 20}));
  EXPECT_EQ(f.flows[1], (policy::NamedFlowSettings{"vip", "acme", 4, 0}));
  EXPECT_EQ(f.top_flows, 5u);
  EXPECT_EQ(f.recent_keys, 4096u);
  EXPECT_TRUE(f.enabled());
}

TEST(FairnessConfig, OnePartMayBeWrittenAsAMap) {
  const Config c = load_ok("admission:\n  fairness:\n    key: {header: Authorization, hash: true}\n");
  const auto& key = c.admission.defaults.fairness.key;
  ASSERT_EQ(key.size(), 1u);
  EXPECT_EQ(key[0], (FlowKeySource{FlowKeyPart::header, "Authorization", 0, true}));
}

TEST(FairnessConfig, GroupsInheritTheDefaultsAndMayReplaceOrDropTheKey) {
  const Config c = load_ok(R"(
admission:
  fairness:
    key: {header: X-Tenant}
    top_flows: 3
  groups:
    - name: inherits
    - name: by-client
      fairness:
        key: [{client_address: true}]
    - name: unfair
      fairness: {key: []}
routes:
  - {name: a, path_prefix: /a, admission_group: inherits}
  - {name: b, path_prefix: /b, admission_group: by-client}
  - {name: c, path_prefix: /c, admission_group: unfair}
  - name: own
    path_prefix: /
    admission:
      fairness:
        key: {query: tenant}
)");
  EXPECT_EQ(group_settings(c, "inherits").fairness, c.admission.defaults.fairness);
  const auto& by_client = group_settings(c, "by-client").fairness;
  ASSERT_EQ(by_client.key.size(), 1u);
  EXPECT_EQ(by_client.key[0].part, FlowKeyPart::client_address);
  EXPECT_EQ(by_client.top_flows, 3u);  // merged key by key
  EXPECT_FALSE(group_settings(c, "unfair").fairness.enabled());
  const auto& own = group_settings(c, "own").fairness;
  ASSERT_EQ(own.key.size(), 1u);
  EXPECT_EQ(own.key[0], (FlowKeySource{FlowKeyPart::query, "tenant", 0, false}));
}

TEST(FairnessConfig, AnUnknownPartKeyNamesFileLineAndTheNearKey) {
  const ConfigError e = load_one_error("admission:\n  fairness:\n    key:\n      - heder: X-Tenant\n");
  EXPECT_EQ(e.file, "test.yaml");
  EXPECT_EQ(e.line, 4);
  EXPECT_EQ(e.column, 9);
  EXPECT_EQ(e.key_path, "admission.fairness.key[0].heder");
  EXPECT_TRUE(contains(e.message, "did you mean 'header'?")) << e.message;
  EXPECT_TRUE(contains(e.to_string(), "test.yaml:4:9: admission.fairness.key[0].heder")) << e.to_string();
}

TEST(FairnessConfig, APartWithTwoSourcesIsAnError) {
  const ConfigError e = load_one_error("admission:\n  fairness:\n    key:\n      - header: X-Tenant\n        query: t\n");
  EXPECT_EQ(e.line, 4);
  EXPECT_EQ(e.key_path, "admission.fairness.key[0]");
  EXPECT_TRUE(contains(e.message, "header and query")) << e.message;
}

TEST(FairnessConfig, APartWithNoSourceIsAnError) {
  const ConfigError e = load_one_error("admission:\n  fairness:\n    key: {hash: true}\n");
  EXPECT_EQ(e.line, 3);
  EXPECT_EQ(e.key_path, "admission.fairness.key");
  EXPECT_TRUE(contains(e.message, "got none")) << e.message;
}

TEST(FairnessConfig, ClientAddressFalseIsAnError) {
  const ConfigError e = load_one_error("admission:\n  fairness:\n    key: [{client_address: false}]\n");
  EXPECT_EQ(e.key_path, "admission.fairness.key[0].client_address");
  EXPECT_EQ(e.line, 3);
}

TEST(FairnessConfig, BadValuesAreReportedWhereTheyAre) {
  EXPECT_EQ(load_one_error("admission:\n  fairness:\n    key: [{path_segment: 0}]\n").key_path,
            "admission.fairness.key[0].path_segment");
  EXPECT_EQ(load_one_error("admission:\n  fairness:\n    key: [{header: \"X Tenant\"}]\n").key_path,
            "admission.fairness.key[0].header");
  EXPECT_EQ(load_one_error("admission:\n  fairness:\n    key: X-Tenant\n").key_path, "admission.fairness.key");
  EXPECT_EQ(load_one_error("admission:\n  fairness:\n    top_flows: 500\n").key_path, "admission.fairness.top_flows");
  EXPECT_EQ(load_one_error("admission:\n  fairness:\n    recent_keys: 10\n").key_path,
            "admission.fairness.recent_keys");
  EXPECT_EQ(load_one_error("admission:\n  fairness:\n    key: [{header: X}]\n    flows: [{name: a, key: k, weight: 0}]\n")
                .key_path,
            "admission.fairness.flows[0].weight");
  EXPECT_EQ(load_one_error("admission:\n  fairness:\n    key: [{header: X}]\n    flows: [{key: k}]\n").key_path,
            "admission.fairness.flows[0].name");
  EXPECT_EQ(load_one_error("admission:\n  fairness:\n    key: [{header: X}]\n    flowz: []\n").key_path,
            "admission.fairness.flowz");
}

TEST(FairnessConfig, PolicyConstraintsAreReportedAtTheirKey) {
  // Named flows without a key to match them against.
  ConfigError e = load_one_error("admission:\n  fairness:\n    flows: [{name: a, key: k}]\n");
  EXPECT_EQ(e.key_path, "admission.fairness.flows");
  EXPECT_EQ(e.line, 3);
  EXPECT_TRUE(contains(e.message, "needs fairness.key")) << e.message;

  e = load_one_error(R"(
admission:
  groups:
    - name: g
      fairness:
        key: {header: X}
        flows:
          - {name: a, key: k}
          - {name: a, key: j}
)");
  EXPECT_EQ(e.key_path, "admission.groups[0].fairness.flows");
  EXPECT_EQ(e.line, 8);
  EXPECT_TRUE(contains(e.message, "same name")) << e.message;

  e = load_one_error("admission:\n  fairness:\n    key: {header: X}\n    flows: [{name: other, key: k}]\n");
  EXPECT_EQ(e.key_path, "admission.fairness.flows");
  EXPECT_TRUE(contains(e.message, "reserved")) << e.message;

  e = load_one_error("admission:\n  fairness:\n    key: {header: \"\"}\n");
  EXPECT_EQ(e.key_path, "admission.fairness.key");
  EXPECT_TRUE(contains(e.message, "needs a name")) << e.message;
}

TEST(FairnessConfig, ABadDefaultIsReportedOnceNotPerGroup) {
  const LoadResult result = testing::load(R"(
admission:
  fairness:
    flows: [{name: a, key: k}]
  groups:
    - name: one
    - name: two
)");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.errors.size(), 1u) << testing::describe(result.errors);
}

}  // namespace
}  // namespace levee::config
