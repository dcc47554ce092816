#pragma once
// Profile YAML (config/loadtest/*.yaml) + command-line overrides -> a validated RunPlan.
//
//   name: overload-recover
//   target: http://127.0.0.1:8080/work      # or targets: [...]; --target overrides
//   capacity: 800                          # req/s; phases may then say "3x"; --capacity overrides
//   arrivals: uniform | poisson
//   request: {method: GET, headers: {X-A: b}, body: ""}
//   client: {timeout: 1s,          # per attempt; then the caller closes the connection
//            deadline: 3s,         # per user, from arrival, across retries: 2xx later is late
//            keep_alive: true,     # false: one connection per request
//            max_connections: 4000, deadline_header: levee-timeout}   # "" disables the header
//   retry: {mode: none|impatient|backoff|retry_after, max_retries: 2, base: 100ms, cap: 2s,
//           header: Retry-Attempt}
//   recovery: {window: 2s, tolerance: 0.95, hold: 3s}
//   phases:
//     - {name: baseline, role: baseline, rate: 0.5x, duration: 5s}
//     - {name: ramp, role: overload, rate: 3x, duration: 3s, ramp: true}   # linear from the previous rate
//   flows: [...]                         # several tenants at once: see profile/flow_loader.h
//
// Errors name the profile file and the key. Pure apart from reading the file.

#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "profile/run_plan.h"

namespace levee::load {

struct RunOverrides {
  std::optional<std::string> profile_path;
  std::vector<std::string> targets;
  std::optional<double> capacity;
  std::optional<double> rate;       // single-phase run without a profile
  std::optional<std::string> duration;
  std::optional<std::string> timeout;
  std::optional<std::string> deadline;
  std::optional<std::string> deadline_header;  // "" or "none": not sent
  std::optional<std::string> method;
  std::optional<std::string> body;
  std::optional<std::string> retry_header;
  std::optional<std::string> arrivals;
  bool connection_per_request = false;
  std::optional<std::string> max_lag;  // validity: schedule lag p99 above this invalidates the run
  std::optional<std::string> retry_mode;
  std::optional<int> max_retries;
  std::optional<int> threads;
  std::optional<int> connections;
  std::optional<std::string> label;
  std::optional<std::uint64_t> seed;
  std::vector<std::string> headers;  // "Name: value"
  std::vector<std::string> asserts;
};

std::variant<RunPlan, std::string> build_plan(const RunOverrides& overrides);

// "3x" -> 3 x capacity; "400" -> 400 req/s. Error text when neither.
std::variant<double, std::string> parse_rate(std::string_view text, std::optional<double> capacity);

}  // namespace levee::load
