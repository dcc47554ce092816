#include "bench/limits/sim/scenario.h"

#include <algorithm>
#include <cmath>

namespace levee::sim {

ScriptState state_at(const Scenario& scenario, Duration t) {
  ScriptState state;
  state.workers = scenario.service.workers;
  state.fail_share = scenario.service.fail_share;
  for (const Step& step : scenario.steps) {
    if (step.at > t) break;
    if (step.load) state.load = *step.load;
    if (step.slowdown) state.slowdown = *step.slowdown;
    if (step.workers) state.workers = *step.workers;
    if (step.fail_share) state.fail_share = *step.fail_share;
  }
  return state;
}

double mean_slot_seconds(const ServiceModel& service, const ScriptState& state) {
  // A log-normal time with median m has mean m * exp(sigma^2 / 2).
  const double spread = std::exp(service.spread * service.spread / 2);
  const double work = ((1 - service.slow_share) * policy::to_seconds(service.service_time) +
                       service.slow_share * policy::to_seconds(service.slow_time)) *
                      spread * state.slowdown;
  return (1 - state.fail_share) * work + state.fail_share * policy::to_seconds(service.fail_time);
}

double capacity_per_second(const ServiceModel& service, const ScriptState& state) {
  return state.workers / mean_slot_seconds(service, state) * (1 - state.fail_share);
}

double base_capacity(const Scenario& scenario) {
  ScriptState start;
  start.workers = scenario.service.workers;
  return capacity_per_second(scenario.service, start);
}

namespace {

Step load_step(Duration at, std::string label, double load) {
  Step step;
  step.at = at;
  step.label = std::move(label);
  step.load = load;
  return step;
}

Step slowdown_step(Duration at, std::string label, double factor) {
  Step step;
  step.at = at;
  step.label = std::move(label);
  step.slowdown = factor;
  return step;
}

Step workers_step(Duration at, std::string label, std::uint32_t workers) {
  Step step;
  step.at = at;
  step.label = std::move(label);
  step.workers = workers;
  return step;
}

Step fail_step(Duration at, std::string label, double share) {
  Step step;
  step.at = at;
  step.label = std::move(label);
  step.fail_share = share;
  return step;
}

std::vector<Scenario> make_scenarios() {
  std::vector<Scenario> all;
  {
    Scenario s;
    s.name = "overload-3x";
    s.description = "W=4 x 10 ms; 3x overload for 3 minutes with impatient retries, then 0.5x";
    s.steps = {load_step(0s, "0.5x", 0.5), load_step(5s, "3x", 3.0), load_step(185s, "0.5x", 0.5)};
    s.length = 200s;
    all.push_back(s);
  }
  {
    Scenario s;
    s.name = "spike-10x";
    s.description = "W=4 x 10 ms; a 10 s spike at 10x, then 0.5x";
    s.steps = {load_step(0s, "0.5x", 0.5), load_step(5s, "10x", 10.0), load_step(15s, "0.5x", 0.5)};
    s.length = 30s;
    all.push_back(s);
  }
  {
    Scenario s;
    s.name = "slowdown-x3";
    s.description = "W=4 x 10 ms at 0.8x; the service time triples for 15 s (offered 2.4x the slowed capacity)";
    s.steps = {load_step(0s, "0.8x", 0.8), slowdown_step(10s, "service x3", 3.0),
               slowdown_step(25s, "service x1", 1.0)};
    s.length = 40s;
    all.push_back(s);
  }
  {
    Scenario s;
    s.name = "capacity-halved";
    s.description = "W=8 x 10 ms at 1.5x; half the workers go away at 10 s";
    s.service.workers = 8;
    s.steps = {load_step(0s, "0.5x", 0.5), load_step(2s, "1.5x", 1.5), workers_step(10s, "W=4", 4)};
    s.length = 25s;
    all.push_back(s);
  }
  {
    Scenario s;
    s.name = "capacity-doubled";
    s.description = "W=4 x 10 ms at 3x; the workers double at 12 s";
    s.steps = {load_step(0s, "0.5x", 0.5), load_step(2s, "3x", 3.0), workers_step(12s, "W=8", 8)};
    s.length = 27s;
    all.push_back(s);
  }
  {
    Scenario s;
    s.name = "bimodal";
    s.description = "W=16; 90% of requests take 5 ms, 10% take 200 ms; 2x for 20 s";
    s.service.workers = 16;
    s.service.service_time = 5ms;
    s.service.slow_share = 0.1;
    s.service.slow_time = 200ms;
    s.steps = {load_step(0s, "0.5x", 0.5), load_step(5s, "2x", 2.0), load_step(25s, "0.5x", 0.5)};
    s.length = 35s;
    all.push_back(s);
  }
  {
    Scenario s;
    s.name = "large-service";
    // 200 ms, as in bench/limits/real_limits.sh: each measurement phase lasts a few latencies,
    // so a slow service is the harder case for finding W.
    s.description = "W=200 x 200 ms at 1.5x from the start: the limit must find 200 from its initial value";
    s.service.workers = 200;
    s.service.service_time = 200ms;
    s.steps = {load_step(0s, "1.5x", 1.5)};
    s.length = 30s;
    s.warmup = 0s;
    all.push_back(s);
  }
  {
    Scenario s;
    s.name = "failing-service";
    s.description = "W=4 x 10 ms at 3x; from 10 s half the requests fail at once (503 in 1 ms)";
    s.steps = {load_step(0s, "3x", 3.0), fail_step(10s, "50% fast 503", 0.5)};
    s.length = 30s;
    all.push_back(s);
  }
  {
    Scenario s;
    s.name = "misset-200";
    // 25 ms: 200 in flight on 4 slots is then 1.25 s of service-side queue, past the callers'
    // 1 s patience (at 10 ms it would be 0.5 s, slow but in time).
    s.description =
        "W=4 x 25 ms; every limit starts at 200 (fixed-200 stays there); 3x of impatient users who "
        "refresh (no retry or deadline header), then 0.5x";
    s.service.service_time = 25ms;
    s.callers.retry_header = false;
    s.callers.deadline_header = false;
    s.initial_limit = 200;
    s.steps = {load_step(0s, "0.5x", 0.5), load_step(5s, "3x refreshers", 3.0), load_step(25s, "0.5x", 0.5)};
    s.length = 45s;
    all.push_back(s);
  }
  return all;
}

}  // namespace

const std::vector<Scenario>& all_scenarios() {
  static const std::vector<Scenario> scenarios = make_scenarios();
  return scenarios;
}

const Scenario* find_scenario(std::string_view name) {
  const auto& all = all_scenarios();
  const auto it = std::find_if(all.begin(), all.end(), [&](const Scenario& s) { return s.name == name; });
  return it == all.end() ? nullptr : &*it;
}

}  // namespace levee::sim
