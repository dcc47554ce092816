#pragma once
// Typed reads of profile YAML shared by the run-level and per-flow parts of a profile: errors
// carry the line number ("line 12: flows[1].rate: ..."), thrown as PlanError and turned into
// one message (exit code 2) by build_plan.

#include <yaml-cpp/yaml.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "client/client_model.h"
#include "client/retry_policy.h"
#include "schedule/schedule.h"
#include "stats/analysis.h"

namespace levee::load {

struct PlanError {
  std::string message;
};

// "line 12: " for a node read from a file, "" for one built in code.
std::string where(const YAML::Node& node);

Nanos duration_of(const YAML::Node& node, std::string_view key);

std::optional<RetryMode> retry_mode_of(std::string_view word);

// The caller-model keys of `client:`; `prefix` names the map in errors ("client", "flows[1].client").
struct ClientRead {
  bool deadline_given = false;
  std::optional<std::string> deadline_header;
};
void read_client(const YAML::Node& map, std::string_view prefix, ClientModel& client, ClientRead& read);
void read_retry(const YAML::Node& map, std::string_view prefix, RetryPolicy& retry);

// Phases in order, rates resolved against `capacity`; `prefix` names the list in errors.
struct PhaseList {
  std::vector<PhaseInfo> phases;
  std::vector<RateSegment> segments;
};
PhaseList read_phases(const std::vector<YAML::Node>& nodes, std::optional<double> capacity, std::string_view prefix);

}  // namespace levee::load
