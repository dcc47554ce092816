#pragma once
// The admin `/state` document: what each admission group is doing now (mode, limit, queue,
// estimates) and what it has decided so far, as JSON for people and scripts. Rendered on the
// control thread from snapshots (policy::Snapshot), so the request path never pays for it.

#include "proxy/policy/snapshot.h"

#include <string>
#include <vector>

namespace levee::observability {

struct GroupState {
  std::string name;
  policy::Snapshot snapshot;
};

std::string render_state(const std::vector<GroupState>& groups);

}  // namespace levee::observability
