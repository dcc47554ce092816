// Fair admission end to end: one tenant floods a small group, another sends a few requests
// and is served, because the flooding tenant's flow is the heaviest and is shed first. Every
// loop is bounded in count and in time; every wait is a bounded poll of levee's own output.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <set>
#include <thread>
#include <vector>

#include "support/child_process.h"
#include "support/stack.h"
#include "support/waits.h"
#include "support/test_client.h"

namespace levee::testing {
namespace {
using namespace std::chrono_literals;

// Limit 2, a queue of 4, tenants told apart by X-Tenant. Collapse detection off: the flood is
// overload by design and recovery mode would blur what is being tested. A CoDel target well
// above a slot's turnover: the next in line waits for one release, and that must not count
// as a standing queue on a slow (sanitizer) build.
std::string fair_config(unsigned short backend_port) {
  return basic_config("127.0.0.1:" + std::to_string(backend_port)) +
         "admission:\n"
         "  limit: {kind: fixed, initial: 2}\n"
         "  queue: {max_length: 4, max_wait: 2s, codel_target: 250ms}\n"
         "  collapse: {enabled: false}\n"
         "  critical_reserved_share: 0\n"
         "  fairness:\n"
         "    key: [{header: X-Tenant}]\n";
}

// What the flooding tenant saw.
struct FloodResult {
  unsigned ok = 0;
  unsigned shed = 0;
  std::set<std::string> reasons;   // levee-shed of each 429
  std::set<unsigned> other;        // any status that is neither
};

TEST(FairAdmission, AQuietTenantIsServedWhileAnotherFloodsTheGroup) {
  auto backend = start_backend();
  auto levee = start_levee(fair_config(backend.port));

  // Tenant A: 8 clients in a loop, each request holding a slot for 40 ms: four times what the
  // group holds. Bounded by a count and a deadline, stopped once B is done.
  std::atomic<bool> stop{false};
  const auto flood_deadline = std::chrono::steady_clock::now() + 15s;
  std::vector<std::future<FloodResult>> flood;
  for (int client = 0; client < 8; ++client) {
    flood.push_back(std::async(std::launch::async, [&] {
      FloodResult seen;
      for (int i = 0; i < 200 && !stop && std::chrono::steady_clock::now() < flood_deadline; ++i) {
        const auto response = fetch(levee.port, "GET", "/slow?ms=40", {}, {{"X-Tenant", "A"}});
        if (response.status == 200) {
          ++seen.ok;
        } else if (response.status == 429) {
          ++seen.shed;
          seen.reasons.insert(response.header("levee-shed"));
        } else {
          seen.other.insert(response.status);
        }
      }
      return seen;
    }));
  }
  // The flood has the group full before B arrives.
  ASSERT_TRUE(wait_for_metric_at_least(levee.admin_port, R"(levee_admission_in_flight{group="default"})", 2));
  ASSERT_TRUE(wait_for_metric_at_least(levee.admin_port, R"(levee_admission_queue_length{group="default"})", 1));

  // Tenant B: a few requests, one after the other. Its first is a new key (it shares the
  // `(new keys)` flow, which the flood no longer uses once A has been seen); from its second
  // it is a flow of its own. Either way it is the lighter flow and must be served.
  std::vector<unsigned> b_statuses;
  std::vector<std::string> b_reasons;
  for (int i = 0; i < 6; ++i) {
    const auto response = fetch(levee.port, "GET", "/slow?ms=10", {}, {{"X-Tenant", "B"}});
    b_statuses.push_back(response.status);
    b_reasons.push_back(response.header("levee-shed"));
  }
  // Both flows are active now; /state must list them while A still floods.
  const auto state = fetch(levee.admin_port, "GET", "/state");
  stop = true;

  for (std::size_t i = 0; i < b_statuses.size(); ++i)
    EXPECT_EQ(b_statuses[i], 200u) << "B's request " << i << " shed: " << b_reasons[i];

  FloodResult a;
  for (auto& client : flood) {
    const FloodResult seen = client.get();
    a.ok += seen.ok;
    a.shed += seen.shed;
    a.reasons.insert(seen.reasons.begin(), seen.reasons.end());
    a.other.insert(seen.other.begin(), seen.other.end());
  }
  EXPECT_GT(a.ok, 0u);
  EXPECT_GT(a.shed, 0u);
  EXPECT_TRUE(a.other.empty());
  const std::set<std::string> fair_or_queue{"fair_share", "queue_full", "queue_timeout", "stale"};
  for (const auto& reason : a.reasons) EXPECT_TRUE(fair_or_queue.contains(reason)) << "A shed as " << reason;

  ASSERT_EQ(state.status, 200u);
  EXPECT_NE(state.body.find(R"("fairness":)"), std::string::npos) << state.body;
  EXPECT_NE(state.body.find(R"("flows_active":)"), std::string::npos) << state.body;
  EXPECT_NE(state.body.find(R"("flow":"A")"), std::string::npos) << state.body;
  EXPECT_NE(state.body.find(R"("flow":"B")"), std::string::npos) << state.body;
  // The new shed reason is a label of the existing shed counter.
  const auto metrics = fetch(levee.admin_port, "GET", "/metrics");
  EXPECT_NE(metrics.body.find(R"(reason="fair_share")"), std::string::npos);
  EXPECT_NE(metrics.body.find("levee_flows_active{group=\"default\"}"), std::string::npos) << metrics.body;
}

TEST(FairAdmission, ANamedFlowHasItsOwnSeries) {
  auto backend = start_backend();
  auto levee = start_levee(fair_config(backend.port) +
                           "    flows:\n"
                           "      - {name: batch, key: batch-job, cap: 1}\n");
  EXPECT_EQ(fetch(levee.port, "GET", "/", {}, {{"X-Tenant", "batch-job"}}).status, 200u);
  EXPECT_EQ(fetch(levee.port, "GET", "/", {}, {{"X-Tenant", "someone"}}).status, 200u);
  EXPECT_EQ(metric_value(levee.admin_port, R"(levee_flow_admitted_total{flow="batch",group="default"})"), 1);
  EXPECT_EQ(metric_value(levee.admin_port, R"(levee_flow_admitted_total{flow="other",group="default"})"), 1);
  const auto state = fetch(levee.admin_port, "GET", "/state");
  EXPECT_NE(state.body.find(R"("named_flows":[)"), std::string::npos) << state.body;
  EXPECT_NE(state.body.find(R"("flow":"batch")"), std::string::npos) << state.body;
}

TEST(FairAdmission, CheckNamesFileAndLineOfAnUnknownKeyPart) {
  const auto path = write_temp_file("fair.yaml",
                                    "admission:\n"
                                    "  fairness:\n"
                                    "    key:\n"
                                    "      - heder: X-Tenant\n");
  ChildProcess levee(levee_binary(), {"check", path});
  EXPECT_EQ(levee.wait(5s), 1);
  const auto& out = levee.output();
  EXPECT_NE(out.find(path + ":4:9: admission.fairness.key[0].heder"), std::string::npos) << out;
  EXPECT_NE(out.find("did you mean 'header'?"), std::string::npos) << out;
}

}  // namespace
}  // namespace levee::testing
