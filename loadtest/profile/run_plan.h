#pragma once
// A run, fully resolved and validated: what the engine executes and the analysis judges.
// Built from a profile and flags (profile/profile_loader), immutable afterwards.

#include <optional>
#include <string>
#include <vector>

#include "client/client_model.h"
#include "client/request_bytes.h"
#include "client/retry_policy.h"
#include "common/url.h"
#include "profile/flow_plan.h"
#include "schedule/arrivals.h"
#include "schedule/schedule.h"
#include "stats/analysis.h"
#include "stats/recovery.h"
#include "stats/thresholds.h"

namespace levee::load {

struct RunPlan {
  std::string name = "run";
  std::string label;  // e.g. "direct" or "levee": shown in reports
  std::vector<Url> targets;
  std::vector<std::string> target_texts;
  RequestTemplate request;
  std::vector<WeightedRequest> request_mix;  // profile `requests:`; empty: `request` alone
  std::optional<double> capacity;  // req/s, declared or probed
  std::vector<PhaseInfo> phases;
  Schedule schedule{{}};
  ArrivalKind arrivals = ArrivalKind::uniform;
  std::uint64_t seed = 1;
  ClientModel client;
  RetryPolicy retry;
  RecoveryConfig recovery;
  ValidityConfig validity;
  Nanos bucket{std::chrono::milliseconds(100)};
  std::vector<Threshold> thresholds;
  int threads = 2;
  // Declared flows (profile `flows:`), each with its own schedule; `schedule` is then their sum
  // and `phases` only time bands. Empty: one flow made of schedule, request, client and retry.
  std::vector<FlowPlan> flows;
  std::vector<FlowGroup> flow_groups;  // how flows are reported; empty when flows is
};

// The flows the engine sends: the declared ones, or the run itself as one flow.
std::vector<FlowPlan> flows_to_send(const RunPlan& plan);

}  // namespace levee::load
