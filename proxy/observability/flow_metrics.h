#pragma once
// The fair-admission metrics of one admission group, from the snapshot at scrape time:
//   levee_flow_admitted_total{group,flow}, levee_flow_shed_total{group,flow},
//   levee_flow_in_flight{group,flow}    flow = each named flow's name, `other` for the rest
//   levee_flows_active{group}           flows with a request in flight or queued
// Series exist only once the group has had fairness on, and only for the named flows of its
// config (at most 1000, policy::validate), so the flow label's cardinality is the operator's
// choice, never the clients'. Created on first sight, since a reload can turn fairness on or
// rename flows; a flow that left the config keeps its counters and reads 0 in flight.
// Not thread-safe: the caller serialises refreshes of one group (as AdmissionMetrics).

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include <cstdint>
#include <map>
#include <string>

#include "proxy/policy/snapshot.h"

namespace levee::observability {

// The label of Snapshot::named_flows[0], every flow that is not a named one.
inline constexpr std::string_view other_flows_label = "other";

class FlowMetrics {
 public:
  FlowMetrics(prometheus::Registry& registry, std::string group) : registry_(&registry), group_(std::move(group)) {}

  void refresh(const policy::Snapshot& snapshot);

 private:
  struct Series {
    prometheus::Counter* admitted = nullptr;
    prometheus::Counter* shed = nullptr;
    prometheus::Gauge* in_flight = nullptr;
    std::uint64_t exported_admitted = 0;  // what the counters show already
    std::uint64_t exported_shed = 0;
  };

  Series& series(const std::string& flow);

  prometheus::Registry* registry_;  // a pointer, so the owner stays movable
  std::string group_;
  prometheus::Gauge* flows_active_ = nullptr;  // null until the group is first seen fair
  std::map<std::string, Series, std::less<>> flows_;
};

}  // namespace levee::observability
