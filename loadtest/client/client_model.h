#pragma once
// How the simulated callers of a run (or of one flow) wait: per-attempt timeout, per-user
// deadline across retries, and the connections they may hold.

#include "common/duration.h"

namespace levee::load {

struct ClientModel {
  Nanos timeout{std::chrono::seconds(1)};   // per attempt, from when the caller sends it
  Nanos deadline{std::chrono::seconds(1)};  // per user, from intended arrival, across retries
  bool keep_alive = true;                   // false: one connection per request
  int max_connections = 10000;              // across all threads and targets
};

}  // namespace levee::load
