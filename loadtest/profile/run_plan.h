#pragma once
// A run, fully resolved and validated: what the engine executes and the analysis judges.
// Built from a profile and flags (profile/profile_loader), immutable afterwards.

#include <optional>
#include <string>
#include <vector>

#include "client/request_bytes.h"
#include "client/retry_policy.h"
#include "common/url.h"
#include "schedule/arrivals.h"
#include "schedule/schedule.h"
#include "stats/analysis.h"
#include "stats/recovery.h"
#include "stats/thresholds.h"

namespace levee::load {

struct ClientModel {
  Nanos timeout{std::chrono::seconds(1)};   // per attempt, from when the caller sends it
  Nanos deadline{std::chrono::seconds(1)};  // per user, from intended arrival, across retries
  bool keep_alive = true;                   // false: one connection per request
  int max_connections = 10000;              // across all threads and targets
};

struct RunPlan {
  std::string name = "run";
  std::string label;  // e.g. "direct" or "levee": shown in reports
  std::vector<Url> targets;
  std::vector<std::string> target_texts;
  RequestTemplate request;
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
};

}  // namespace levee::load
