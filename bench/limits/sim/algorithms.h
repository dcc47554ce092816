#pragma once
// The limit configurations the simulator compares, by name:
//   fixed-W    kind fixed at the service's starting worker count: the operator who measured
//   fixed-200  kind fixed at 200: the operator who guessed (examples/fixed-limit.yaml invites it)
//   aimd, gradient, knee   the adaptive kinds with their defaults
// Everything else is levee's default AdmissionSettings, so the runs show the shipped guard.

#include <string>
#include <string_view>
#include <vector>

#include "bench/limits/sim/scenario.h"
#include "proxy/policy/settings.h"

namespace levee::sim {

const std::vector<std::string>& all_algorithms();
bool is_algorithm(std::string_view name);
// The algorithm levee ships as its default limit kind.
std::string default_algorithm();
policy::AdmissionSettings settings_for(std::string_view algorithm, const Scenario& scenario);

}  // namespace levee::sim
