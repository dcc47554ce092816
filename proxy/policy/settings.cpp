#include "proxy/policy/settings.h"

namespace levee::policy {

std::string_view validate(const LimitSettings& s) {
  if (s.initial < 1) return "limit.initial must be at least 1";
  if (s.kind != LimitKind::fixed) {
    if (s.min < 1) return "limit.min must be at least 1";
    if (s.max < s.min) return "limit.max must be at least limit.min";
  }
  if (!(s.aimd.backoff_ratio > 0 && s.aimd.backoff_ratio < 1)) {
    return "limit.aimd.backoff_ratio must be in (0, 1)";
  }
  if (!(s.aimd.increase > 0)) return "limit.aimd.increase must be positive";
  if (s.aimd.timeout <= Duration::zero()) return "limit.aimd.timeout must be positive";
  if (!(s.gradient.tolerance >= 1)) return "limit.gradient.tolerance must be at least 1";
  if (!(s.gradient.smoothing > 0 && s.gradient.smoothing <= 1)) {
    return "limit.gradient.smoothing must be in (0, 1]";
  }
  if (s.gradient.long_window < 1) return "limit.gradient.long_window must be at least 1";
  if (s.gradient.window <= Duration::zero()) return "limit.gradient.window must be positive";
  if (s.knee.probe_interval <= Duration::zero()) return "limit.knee.probe_interval must be positive";
  if (!(s.knee.step > 0 && s.knee.step <= 1)) return "limit.knee.step must be in (0, 1]";
  if (s.knee.phase_samples < 5) return "limit.knee.phase_samples must be at least 5";
  if (!(s.knee.tolerance > 1)) return "limit.knee.tolerance must be above 1";
  return {};
}

std::string_view validate(const QueueSettings& s) {
  if (s.max_wait <= Duration::zero()) return "queue.max_wait must be positive";
  if (s.lifo_after < Duration::zero()) return "queue.lifo_after must not be negative";
  if (s.codel_target < Duration::zero()) return "queue.codel_target must not be negative";
  if (s.codel_target > Duration::zero() && s.codel_interval <= Duration::zero()) {
    return "queue.codel_interval must be positive";
  }
  return {};
}

std::string_view validate(const CollapseSettings& s) {
  if (s.window <= Duration::zero()) return "collapse.window must be positive";
  if (!(s.goodput_drop > 0 && s.goodput_drop < 1)) return "collapse.goodput_drop must be in (0, 1)";
  if (!(s.busy_fraction > 0 && s.busy_fraction <= 1)) {
    return "collapse.busy_fraction must be in (0, 1]";
  }
  if (!(s.peak_decay > 0 && s.peak_decay <= 1)) return "collapse.peak_decay must be in (0, 1]";
  if (!(s.clamp_factor > 0 && s.clamp_factor <= 1)) return "collapse.clamp_factor must be in (0, 1]";
  if (s.recovery_windows < 1) return "collapse.recovery_windows must be at least 1";
  if (!(s.abandoned_share > 0 && s.abandoned_share <= 1)) return "collapse.abandoned_share must be in (0, 1]";
  return {};
}

std::string_view validate(const RetryBudgetSettings& s) {
  if (!(s.ratio >= 0)) return "retry_budget.ratio must not be negative";
  if (!(s.min_per_second >= 0)) return "retry_budget.min_per_second must not be negative";
  if (s.window < std::chrono::milliseconds(10)) return "retry_budget.window must be at least 10ms";
  return {};
}

std::string_view validate(const FairnessSettings& s) {
  for (const FlowKeySource& source : s.key) {
    const bool named = source.part == FlowKeyPart::header || source.part == FlowKeyPart::query ||
                       source.part == FlowKeyPart::cookie;
    if (named && source.name.empty()) return "fairness.key: a header, query or cookie part needs a name";
    if (source.part == FlowKeyPart::path_segment && source.segment < 1) {
      return "fairness.key: path_segment counts from 1";
    }
  }
  if (!s.flows.empty() && s.key.empty()) return "fairness.flows needs fairness.key";
  if (s.flows.size() > 1000) return "fairness.flows: at most 1000 named flows";
  for (std::size_t i = 0; i < s.flows.size(); ++i) {
    const NamedFlowSettings& flow = s.flows[i];
    if (flow.name.empty()) return "fairness.flows: every flow needs a name";
    if (flow.name == "other") return "fairness.flows: the name `other` is reserved for unnamed flows";
    if (flow.weight < 1 || flow.weight > 1000) return "fairness.flows: weight must be in 1..1000";
    for (std::size_t j = 0; j < i; ++j) {
      if (s.flows[j].name == flow.name) return "fairness.flows: two flows have the same name";
      if (s.flows[j].key == flow.key) return "fairness.flows: two flows have the same key";
    }
  }
  if (s.top_flows > 100) return "fairness.top_flows must be at most 100";
  if (s.recent_keys < 1024) return "fairness.recent_keys must be at least 1024";
  if (s.recent_keys > (1u << 24)) return "fairness.recent_keys must be at most 16777216";
  return {};
}

std::string_view validate(const AdmissionSettings& s) {
  if (const auto error = validate(s.limit); !error.empty()) return error;
  if (const auto error = validate(s.queue); !error.empty()) return error;
  if (const auto error = validate(s.collapse); !error.empty()) return error;
  if (const auto error = validate(s.retry_budget); !error.empty()) return error;
  if (!(s.critical_reserved_share >= 0 && s.critical_reserved_share < 1)) {
    return "critical_reserved_share must be in [0, 1)";
  }
  if (s.estimate_window <= Duration::zero()) return "estimate_window must be positive";
  if (s.retry_after_min < Duration::zero()) return "retry_after_min must not be negative";
  if (s.retry_after_max < s.retry_after_min) return "retry_after_max must be at least retry_after_min";
  if (const auto error = validate(s.fairness); !error.empty()) return error;
  return {};
}

}  // namespace levee::policy
