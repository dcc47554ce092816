#include "bench/limits/sim/algorithms.h"

#include <algorithm>

namespace levee::sim {

const std::vector<std::string>& all_algorithms() {
  static const std::vector<std::string> names{"fixed-W", "fixed-200", "aimd", "gradient", "knee"};
  return names;
}

bool is_algorithm(std::string_view name) {
  const auto& names = all_algorithms();
  return std::find(names.begin(), names.end(), name) != names.end();
}

std::string default_algorithm() {
  switch (policy::LimitSettings{}.kind) {
    case policy::LimitKind::fixed: return "fixed-W";
    case policy::LimitKind::aimd: return "aimd";
    case policy::LimitKind::gradient: return "gradient";
    case policy::LimitKind::knee: return "knee";
  }
  return "gradient";
}

policy::AdmissionSettings settings_for(std::string_view algorithm, const Scenario& scenario) {
  policy::AdmissionSettings settings;
  policy::LimitSettings& limit = settings.limit;
  if (algorithm == "fixed-W" || algorithm == "fixed-200") {
    limit.kind = policy::LimitKind::fixed;
    limit.initial = algorithm == "fixed-W" ? scenario.service.workers : 200;
    return settings;
  }
  limit.kind = algorithm == "aimd"       ? policy::LimitKind::aimd
               : algorithm == "gradient" ? policy::LimitKind::gradient
                                         : policy::LimitKind::knee;
  if (scenario.initial_limit != 0) limit.initial = scenario.initial_limit;
  return settings;
}

}  // namespace levee::sim
