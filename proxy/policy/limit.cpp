#include "proxy/policy/limit.h"

#include <algorithm>

#include "proxy/policy/aimd_limit.h"
#include "proxy/policy/fixed_limit.h"
#include "proxy/policy/gradient_limit.h"
#include "proxy/policy/knee_limit.h"
#include "proxy/policy/windowed_limit.h"

namespace levee::policy {

std::unique_ptr<Limit> make_limit(const LimitSettings& settings, std::uint32_t initial) {
  if (settings.kind == LimitKind::fixed) {
    return std::make_unique<FixedLimit>(initial != 0 ? initial : settings.initial);
  }
  const std::uint32_t start =
      std::clamp(initial != 0 ? initial : settings.initial, std::max<std::uint32_t>(settings.min, 1),
                 std::max(settings.max, std::max<std::uint32_t>(settings.min, 1)));
  if (settings.kind == LimitKind::aimd) return std::make_unique<AimdLimit>(settings, start);
  if (settings.kind == LimitKind::knee) return std::make_unique<KneeLimit>(settings, start);
  return std::make_unique<WindowedLimit>(std::make_unique<GradientLimit>(settings, start),
                                         settings.gradient.window,
                                         settings.gradient.window_min_samples);
}

}  // namespace levee::policy
