#pragma once
// The `flows:` part of a profile -> RunPlan::flows and RunPlan::flow_groups.
//
//   flows:
//     - name: a                                  # required, unique
//       headers: {X-Tenant: a}                   # added to the profile's request headers
//       phases:                                  # like the profile's phases, or instead:
//         - {name: alone, rate: 1x, duration: 5s}
//     - name: light
//       count: 200                               # light-1 .. light-200, reported as one entry
//       headers: {X-Tenant: "light-{i}"}         # {i}: the member's number
//       rate: 0.004x                             # constant, for `duration:` or the whole run
//     - name: rotating
//       headers: {X-Tenant: "k-{key}"}           # {key}: a fresh key per user request
//       keys: 1000000                            # or {count: 1000000, order: random}
//       rate: 10x
//       client: {timeout: 500ms}                 # caller model; defaults to the profile's
//       retry: {mode: none}
//
// Flow arrivals are independent open-model schedules; the run's schedule is their sum. With
// flows, the profile's own `phases:` only name time bands (name, role, duration; no rate).

#include <optional>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "profile/run_plan.h"
#include "profile/yaml_read.h"

namespace levee::load {

// What a flow inherits from the profile (after command-line overrides).
struct FlowDefaults {
  RequestTemplate request;
  ClientModel client;
  bool deadline_given = false;  // else a flow's own timeout is also its deadline
  RetryPolicy retry;
  std::optional<double> capacity;
};

// Fills plan.flows, plan.flow_groups, plan.schedule (the sum) and plan.phases (the bands, or one
// band "run"). `bands`: the profile's phases. Throws PlanError.
void read_flows(const YAML::Node& list, const std::vector<YAML::Node>& bands, const FlowDefaults& defaults, RunPlan& plan);

// An --assert on a flow names a flow (or a count: group) and, after '@', one of its phases that
// exist: an error message otherwise.
std::optional<std::string> check_flow_threshold(const RunPlan& plan, const Threshold& threshold);

}  // namespace levee::load
