#pragma once
// A scenario of the limit simulator: the service behind levee, its callers, and a script of
// changes over time (load, service time, capacity, failures).
//
// The service has `workers` slots and its own unbounded FIFO queue: whatever levee forwards
// beyond the slots waits inside the service, as in a thread-pool app server, and abandoned
// work is still done unless `cancels_abandoned` (most servers do not notice a closed
// connection until they write the answer). Callers are an open model: new users arrive as a
// Poisson process whatever happens to earlier ones; each attempt has a timeout after which the
// caller leaves, and users may retry at once (impatient refreshers).
//
// Rates are multiples of C0, the capacity at the start: workers / mean service time.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "proxy/policy/clock.h"

namespace levee::sim {

using policy::Duration;
using namespace std::chrono_literals;

struct ServiceModel {
  std::uint32_t workers = 4;
  Duration service_time = 10ms;  // median of the fast mode
  // Log-normal spread of every service time (sigma of the log): real services are never
  // exactly regular, and a perfectly regular one would flatter latency-based algorithms.
  double spread = 0.15;
  // Bimodal: this share of requests takes `slow_time` instead (one route, two kinds of work).
  double slow_share = 0;
  Duration slow_time = 200ms;
  // Share of requests that fail at once (a 503 after `fail_time`, holding a slot that long).
  double fail_share = 0;
  Duration fail_time = 1ms;
  // Whether the service drops a queued request once levee closes its connection.
  bool cancels_abandoned = false;
  // One-way network delay between levee and the service: a slot is idle for two of these
  // between one request and the next, so a limit exactly at the slots leaves a sliver unused.
  Duration network_delay = 100us;
};

struct CallerModel {
  Duration timeout = 1s;    // per attempt: then the caller closes the connection
  Duration patience = 3s;   // the user's deadline across attempts
  int max_retries = 2;      // immediate retries after a timeout, a shed or an error
  bool retry_header = true; // retries carry Retry-Attempt (false: refreshes look like new users)
  bool deadline_header = true;  // levee-timeout: the attempt's remaining patience
};

// From `at`, the given values hold until a later step changes them.
struct Step {
  Duration at{};
  std::string label;                     // shown in reports ("slowdown x3")
  std::optional<double> load;            // new users per second, as a multiple of C0
  std::optional<double> slowdown;        // multiplier of every service time
  std::optional<std::uint32_t> workers;  // the service's slots from now on
  std::optional<double> fail_share;
};

struct Scenario {
  std::string name;
  std::string description;
  ServiceModel service;
  CallerModel callers;
  std::vector<Step> steps;  // steps[0].at == 0 sets the starting load
  Duration length = 30s;
  Duration warmup = 2s;  // excluded from the summary
  // Adaptive limits start here instead of their default (0 = the default); fixed-W uses W.
  std::uint32_t initial_limit = 0;
  // levee aborts the upstream exchange when the caller leaves, releasing the permit as
  // Outcome::abandoned at once (false: it waits for the answer and releases it then).
  bool abort_on_leave = true;
  // How levee reports such an exchange: Outcome::abandoned (issue 12), or Outcome::ignored as
  // the http layer did before it (the limit and the collapse detector then never see it).
  bool report_abandoned = true;
};

// The state the script defines at time t.
struct ScriptState {
  double load = 0;
  double slowdown = 1;
  std::uint32_t workers = 0;
  double fail_share = 0;
};
ScriptState state_at(const Scenario& scenario, Duration t);

// Mean time a request holds a service slot, and the successes per second the service can
// deliver (C), under `state`.
double mean_slot_seconds(const ServiceModel& service, const ScriptState& state);
double capacity_per_second(const ServiceModel& service, const ScriptState& state);
// C0: the capacity at t = 0 with no slowdown, the unit of `load`.
double base_capacity(const Scenario& scenario);

// The named scenarios, in report order.
const std::vector<Scenario>& all_scenarios();
const Scenario* find_scenario(std::string_view name);

}  // namespace levee::sim
