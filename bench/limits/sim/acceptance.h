#pragma once
// Issue 12's acceptance criteria, evaluated on simulated runs. Each check names the scenario,
// the algorithm, what was measured and the bound; a check whose runs are missing (the CLI ran
// a subset) is skipped.

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "bench/limits/sim/run.h"

namespace levee::sim {

struct Check {
  std::string scenario;
  std::string algorithm;
  std::string text;  // what, measured value and bound
  bool passed = false;
};

// Returns the run of `algorithm` on `scenario`, or nullptr when it was not run.
using RunLookup = std::function<const Run*(std::string_view scenario, std::string_view algorithm)>;

// `adaptive`: the algorithm the adaptive criteria apply to (the new kind). The collapse
// criteria apply to fixed-200, the mis-set criteria to `adaptive` and gradient.
std::vector<Check> acceptance_checks(const RunLookup& runs, std::string_view adaptive);

}  // namespace levee::sim
