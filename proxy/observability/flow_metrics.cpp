#include "proxy/observability/flow_metrics.h"

namespace levee::observability {
namespace {

// Snapshot counters are cumulative; a Prometheus counter only goes up. A count that went down
// (the policy restarted a flow's count on a reload) only moves the baseline.
void advance(prometheus::Counter* counter, std::uint64_t now, std::uint64_t& exported) {
  if (now > exported) counter->Increment(static_cast<double>(now - exported));
  exported = now;
}

}  // namespace

FlowMetrics::Series& FlowMetrics::series(const std::string& flow) {
  if (auto found = flows_.find(flow); found != flows_.end()) return found->second;
  const prometheus::Labels labels{{"group", group_}, {"flow", flow}};
  // Registered by name: the registry merges a family registered again (another group, or this
  // group re-created by a reload) into the existing one.
  Series created;
  created.admitted = &prometheus::BuildCounter()
                          .Name("levee_flow_admitted_total")
                          .Help("Requests of a named flow (or `other`) given a permit, fairness on")
                          .Register(*registry_)
                          .Add(labels);
  created.shed = &prometheus::BuildCounter()
                      .Name("levee_flow_shed_total")
                      .Help("Requests of a named flow (or `other`) shed, any reason, fairness on")
                      .Register(*registry_)
                      .Add(labels);
  created.in_flight = &prometheus::BuildGauge()
                           .Name("levee_flow_in_flight")
                           .Help("Requests of a named flow (or `other`) in the service now")
                           .Register(*registry_)
                           .Add(labels);
  return flows_.emplace(flow, created).first->second;
}

void FlowMetrics::refresh(const policy::Snapshot& snapshot) {
  if (!snapshot.fair) {
    // Turned off by a reload: nothing is in flight under fairness any more.
    if (flows_active_ != nullptr) flows_active_->Set(0);
    for (auto& [name, flow] : flows_) flow.in_flight->Set(0);
    return;
  }
  if (flows_active_ == nullptr) {
    flows_active_ = &prometheus::BuildGauge()
                         .Name("levee_flows_active")
                         .Help("Flows of a fair group with a request in flight or queued")
                         .Register(*registry_)
                         .Add({{"group", group_}});
  }
  flows_active_->Set(snapshot.flows_active);
  for (auto& [name, flow] : flows_) flow.in_flight->Set(0);  // flows that left the config
  for (std::size_t i = 0; i < snapshot.named_flows.size(); ++i) {
    const policy::FlowStats& stats = snapshot.named_flows[i];
    Series& flow = series(i == 0 ? std::string(other_flows_label) : stats.label);
    advance(flow.admitted, stats.admitted, flow.exported_admitted);
    advance(flow.shed, stats.shed, flow.exported_shed);
    flow.in_flight->Set(stats.in_flight);
  }
}

}  // namespace levee::observability
