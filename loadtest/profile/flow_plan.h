#pragma once
// One flow of a run: a caller population with its own arrival schedule, request headers and
// caller model (e.g. tenant A flooding, tenant B steady). A run without `flows:` is one flow
// made of the profile's own schedule, request and caller model. Plain data, immutable once built.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "client/client_model.h"
#include "client/request_bytes.h"
#include "client/request_mix.h"
#include "client/retry_policy.h"
#include "schedule/schedule.h"
#include "stats/analysis.h"

namespace levee::load {

// `{key}` in a header value: each user request gets one of `count` distinct values, in turn
// (sequential) or drawn at random, so a proxy sees that many different flow keys.
struct KeySpec {
  std::uint32_t count = 1;
  bool random = false;
};

struct FlowPlan {
  std::string name;
  std::vector<PhaseInfo> phases;  // the flow's own, for its per-phase figures
  Schedule schedule{{}};
  RequestTemplate request;
  ClientModel client;
  RetryPolicy retry;
  std::optional<KeySpec> keys;
  std::vector<WeightedRequest> mix{};  // profile `requests:`; empty: every user sends `request`
};

// How flows are reported: a `count: N` flow is N members reported as one entry (with its worst
// member); any other flow is an entry of its own.
struct FlowGroup {
  std::string name;
  std::size_t first = 0;  // index of the first member in RunPlan::flows
  std::size_t count = 1;
  bool counted = false;   // declared with count: (members are name-1..name-N)
};

}  // namespace levee::load
