#include "proxy/config/admission_sections.h"

#include <algorithm>
#include <charconv>
#include <utility>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "proxy/config/fairness_section.h"
#include "proxy/config/relative_file.h"
#include "proxy/config/sections.h"
#include "proxy/config/suggest.h"
#include "proxy/config/units.h"

namespace levee::config::detail {
namespace {

constexpr std::uint64_t max_sorry_page_bytes = 1 * MiB;
const DurationRange zero_allowed{.min = Duration::zero()};

void read_limit(MapReader& r, policy::LimitSettings& limit) {
  std::string kind(policy::name(limit.kind));
  r.one_of("kind", kind, {policy::name(policy::LimitKind::fixed), policy::name(policy::LimitKind::aimd),
                          policy::name(policy::LimitKind::gradient), policy::name(policy::LimitKind::knee)});
  limit.kind = policy::parse_limit_kind(kind).value_or(limit.kind);
  r.integer<std::uint32_t>("initial", limit.initial, 1, 1'000'000);
  r.integer<std::uint32_t>("min", limit.min, 1, 1'000'000);
  r.integer<std::uint32_t>("max", limit.max, 1, 1'000'000);
  r.map("aimd", [&](MapReader& a) {
    a.number("backoff_ratio", limit.aimd.backoff_ratio, 0.01, 0.999);
    a.number("increase", limit.aimd.increase, 0.01, 1000);
    a.duration("timeout", limit.aimd.timeout);
  });
  r.map("gradient", [&](MapReader& g) {
    g.number("tolerance", limit.gradient.tolerance, 1.0, 100);
    g.number("smoothing", limit.gradient.smoothing, 0.001, 1.0);
    g.integer<std::uint32_t>("long_window", limit.gradient.long_window, 1, 1'000'000);
    g.duration("window", limit.gradient.window);
    g.integer<std::uint32_t>("window_min_samples", limit.gradient.window_min_samples, 1, 1'000'000);
    g.duration("probe_interval", limit.gradient.probe_interval, zero_allowed);
  });
  r.map("knee", [&](MapReader& k) {
    k.duration("probe_interval", limit.knee.probe_interval);
    k.number("step", limit.knee.step, 0.01, 1.0);
    k.integer<std::uint32_t>("phase_samples", limit.knee.phase_samples, 5, 100'000);
    k.number("tolerance", limit.knee.tolerance, 1.01, 10);
  });
}

void read_queue(MapReader& r, policy::QueueSettings& queue) {
  r.integer<std::uint32_t>("max_length", queue.max_length, 0, 1'000'000);
  r.duration("max_wait", queue.max_wait);
  std::string order(queue.order == policy::QueueOrder::fifo   ? "fifo"
                    : queue.order == policy::QueueOrder::lifo ? "lifo"
                                                              : "adaptive");
  r.one_of("order", order, {"fifo", "lifo", "adaptive"});
  queue.order = order == "fifo" ? policy::QueueOrder::fifo
                : order == "lifo" ? policy::QueueOrder::lifo
                                  : policy::QueueOrder::adaptive;
  r.duration("lifo_after", queue.lifo_after, zero_allowed);
  r.duration("codel_target", queue.codel_target, zero_allowed);
  r.duration("codel_interval", queue.codel_interval);
}

void read_budget(MapReader& r, policy::RetryBudgetSettings& budget) {
  r.number("ratio", budget.ratio, 0.0, 10.0);
  r.number("min_per_second", budget.min_per_second, 0.0, 1e6);
  r.duration("window", budget.window);
  r.integer<std::uint32_t>("max_concurrent", budget.max_concurrent, 0, 1'000'000);
}

void read_collapse(MapReader& r, policy::CollapseSettings& collapse) {
  r.boolean("enabled", collapse.enabled);
  r.duration("window", collapse.window);
  r.number("goodput_drop", collapse.goodput_drop, 0.01, 0.99);
  r.number("busy_fraction", collapse.busy_fraction, 0.0, 1.0);
  r.number("peak_decay", collapse.peak_decay, 0.0, 1.0);
  r.number("clamp_factor", collapse.clamp_factor, 0.01, 1.0);
  r.integer<std::uint32_t>("recovery_windows", collapse.recovery_windows, 1, 1000);
  r.number("abandoned_share", collapse.abandoned_share, 0.01, 1.0);
}

std::optional<std::string> check_retry_on(std::string_view word) {
  if (policy::parse_retry_on(word)) return std::nullopt;
  std::vector<std::string> words;
  for (const auto kind : policy::all_retry_on) words.emplace_back(policy::name(kind));
  std::string message = fmt::format("expected one of {}; got '{}'", fmt::join(words, ", "), word);
  if (auto near = closest(word, words)) message += fmt::format("; did you mean '{}'?", *near);
  return message;
}

std::optional<std::string> check_retry_status(std::string_view text) {
  unsigned value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec == std::errc{} && end == text.data() + text.size() && value >= 500 && value <= 599) return std::nullopt;
  return fmt::format("expected a 5xx status (500-599), got '{}'; a 4xx is the caller's fault and retrying it "
                     "changes nothing",
                     text);
}

void read_retry(MapReader& r, RetryConfig& retry) {
  r.integer<std::uint32_t>("attempts", retry.attempts, 1, 10);
  std::vector<std::string> retry_on;
  for (const auto kind : retry.retry_on) retry_on.emplace_back(policy::name(kind));
  r.string_list("retry_on", retry_on, "connect_failure, reset, timeout or status", check_retry_on);
  retry.retry_on.clear();
  // check_retry_on has refused any other word.
  for (const auto& word : retry_on) retry.retry_on.push_back(policy::parse_retry_on(word).value_or(RetryOn::status));
  std::vector<std::string> statuses;
  for (const unsigned status : retry.statuses) statuses.push_back(std::to_string(status));
  r.string_list("statuses", statuses, "5xx statuses", check_retry_status);
  retry.statuses.clear();
  for (const auto& status : statuses) retry.statuses.push_back(static_cast<unsigned>(std::stoul(status)));
  if (r.has("per_try_timeout")) {
    Duration per_try = retry.per_try_timeout.value_or(std::chrono::seconds(1));
    r.duration("per_try_timeout", per_try);
    retry.per_try_timeout = per_try;
  }
  r.duration("backoff_base", retry.backoff_base);
  r.duration("backoff_max", retry.backoff_max);
  r.size("max_buffered_body", retry.max_buffered_body, 0, 64 * MiB);
  r.map("budget", [&](MapReader& b) { read_budget(b, retry.budget); });
}

// The first constraint `settings` violates (empty when valid) and the key path of the block to
// fix: each block is validated on its own first so the error lands on that block's line.
std::pair<std::string_view, std::string> settings_problem(const policy::AdmissionSettings& settings,
                                                          const std::string& path) {
  if (auto problem = policy::validate(settings.limit); !problem.empty()) return {problem, path + ".limit"};
  if (auto problem = policy::validate(settings.queue); !problem.empty()) return {problem, path + ".queue"};
  if (auto problem = policy::validate(settings.collapse); !problem.empty()) return {problem, path + ".collapse"};
  if (auto problem = policy::validate(settings.retry_budget); !problem.empty())
    return {problem, path + ".retry_budget"};
  if (auto problem = policy::validate(settings.fairness); !problem.empty())
    return {problem, fairness_problem_path(problem, path)};
  const std::string_view problem = policy::validate(settings);
  if (problem.empty()) return {};
  // The rest name a top-level key ("estimate_window must ...") or retry_after's bounds
  // ("retry_after_max must ...", YAML retry_after.max).
  const std::string_view field = problem.substr(0, problem.find(' '));
  return {problem, fmt::format("{}.{}", path, field.starts_with("retry_after") ? "retry_after" : field)};
}

// `inherited` is what the top-level defaults already reported: a group or route that merely
// inherits a bad default would repeat the same message once per group, hiding the one line to fix.
void check_settings(const policy::AdmissionSettings& settings, const std::string& path, ReadContext& context,
                    std::string_view inherited = {}) {
  auto [problem, where] = settings_problem(settings, path);
  // A fairness block with a bad value (a part without its source, a flow without a name) is
  // already reported where it is; its cross-check would only say it again, less precisely.
  if (where.starts_with(path + ".fairness") && context.has_errors_under(path + ".fairness")) return;
  if (!problem.empty() && problem != inherited) context.error_at(where, std::string(problem));
}

// Cross-key checks of a route's retry block; single values were range-checked while reading.
void check_retry(const RetryConfig& retry, const std::string& path, ReadContext& context) {
  if (const std::string_view problem = policy::validate(retry.budget); !problem.empty())
    context.error_at(path + ".budget", std::string(problem));
  if (retry.backoff_base > retry.backoff_max) context.error_at(path + ".backoff_base", "must not exceed backoff_max");
  if (retry.attempts < 2) return;  // retries off: what they would react to does not matter
  if (retry.retry_on.empty()) {
    context.error_at(path + ".retry_on",
                     "is empty, so nothing would ever be retried; list what to retry on, or set attempts: 1");
  }
  const bool on_status =
      std::find(retry.retry_on.begin(), retry.retry_on.end(), RetryOn::status) != retry.retry_on.end();
  if (on_status && retry.statuses.empty())
    context.error_at(path + ".statuses", "is empty while retry_on lists `status`; list the 5xx statuses to retry");
}

}  // namespace

void read_admission_settings(MapReader& r, policy::AdmissionSettings& settings) {
  r.map("limit", [&](MapReader& m) { read_limit(m, settings.limit); });
  r.map("queue", [&](MapReader& m) { read_queue(m, settings.queue); });
  r.number("critical_reserved_share", settings.critical_reserved_share, 0.0, 0.9);
  r.map("retry_budget", [&](MapReader& m) {
    m.boolean("enabled", settings.retry_budget_enabled);
    read_budget(m, settings.retry_budget);
  });
  r.map("collapse", [&](MapReader& m) { read_collapse(m, settings.collapse); });
  r.map("fairness", [&](MapReader& m) { read_fairness(m, settings.fairness); });
  r.boolean("dry_run", settings.dry_run);
  r.duration("estimate_window", settings.estimate_window);
  r.map("retry_after", [&](MapReader& m) {
    m.duration("min", settings.retry_after_min, zero_allowed);
    m.duration("max", settings.retry_after_max);
  });
}

void read_admission(MapReader& r, AdmissionConfig& admission) {
  r.boolean("enabled", admission.enabled);
  read_admission_settings(r, admission.defaults);
  r.list("groups", [&](MapReader& g, std::size_t) {
    AdmissionGroupConfig& group = admission.groups.emplace_back();
    group.settings = admission.defaults;
    g.require("name");
    g.string("name", group.name, check_name);
    read_admission_settings(g, group.settings);
  });
}

void read_shed_response(MapReader& r, ShedResponseConfig& shed) {
  r.integer<unsigned>("status", shed.status, 100, 599);
  if (shed.status != 429 && shed.status != 503) {
    r.context().error_at("shed_response.status",
                         fmt::format("expected 429 or 503, got {}", shed.status));
  }
  r.string("sorry_page", shed.sorry_page);
}

void read_request_headers(MapReader& r, RequestHeadersConfig& headers) {
  r.string("retry", headers.retry, check_header_name);
  r.string("priority", headers.priority, check_header_name);
  r.string("deadline", headers.deadline, check_header_name);
  r.string("idempotency_key", headers.idempotency_key, check_header_name);
}

void read_route_guard(MapReader& r, RouteConfig& route, const policy::AdmissionSettings& defaults) {
  std::string priority(policy::name(route.priority));
  r.one_of("priority", priority, {"critical", "default", "normal", "sheddable"});
  route.priority = policy::parse_priority(priority).value_or(policy::Priority::normal);
  if (r.has("timeout")) {
    Duration timeout = route.timeout.value_or(std::chrono::seconds(30));
    r.duration("timeout", timeout);
    route.timeout = timeout;
  }
  r.string("admission_group", route.admission_group);
  if (r.has("admission")) {
    policy::AdmissionSettings settings = defaults;
    r.map("admission", [&](MapReader& a) { read_admission_settings(a, settings); });
    route.admission = settings;
  }
  r.map("retry", [&](MapReader& m) { read_retry(m, route.retry); });
}

void finalize_admission(Config& config, ReadContext& context) {
  AdmissionConfig& admission = config.admission;
  check_settings(admission.defaults, "admission", context);
  const std::string_view defaults_problem = policy::validate(admission.defaults);
  std::vector<std::string> shared;
  for (std::size_t i = 0; i < admission.groups.size(); ++i) {
    const auto& group = admission.groups[i];
    check_settings(group.settings, fmt::format("admission.groups[{}]", i), context, defaults_problem);
    if (std::find(shared.begin(), shared.end(), group.name) != shared.end())
      context.error_at(fmt::format("admission.groups[{}].name", i), fmt::format("duplicate group '{}'", group.name));
    shared.push_back(group.name);
  }

  for (std::size_t i = 0; i < config.routes.size(); ++i) {
    RouteConfig& route = config.routes[i];
    const std::string path = fmt::format("routes[{}]", i);
    if (route.admission) check_settings(*route.admission, path + ".admission", context, defaults_problem);
    check_retry(route.retry, path + ".retry", context);

    if (!route.admission_group.empty()) {
      if (route.admission) {
        context.error_at(path + ".admission_group",
                         "set either admission_group (a shared group) or admission (this route's own "
                         "group), not both");
        continue;
      }
      if (std::find(shared.begin(), shared.end(), route.admission_group) == shared.end()) {
        std::string message = fmt::format("no admission group named '{}'", route.admission_group);
        if (auto near = closest(route.admission_group, shared)) message += fmt::format("; did you mean '{}'?", *near);
        else if (!shared.empty()) message += fmt::format(" (groups: {})", fmt::join(shared, ", "));
        else message += " (declare it under admission.groups)";
        context.error_at(path + ".admission_group", std::move(message));
      }
      continue;
    }
    if (std::find(shared.begin(), shared.end(), route.name) != shared.end()) {
      context.error_at(path + ".name",
                       fmt::format("this route's own admission group would be named '{}' like a shared group; "
                                   "rename one, or set admission_group: {}",
                                   route.name, route.name));
      continue;
    }
    route.admission_group = route.name;
    admission.groups.push_back(
        AdmissionGroupConfig{route.name, route.admission.value_or(admission.defaults), true});
  }

  // Disabled: references were still checked above (a typo must not surface only on the day the
  // guard is switched on), but no route is guarded and `groups` stays as declared.
  if (!admission.enabled) {
    for (RouteConfig& route : config.routes) route.admission_group.clear();
    std::erase_if(admission.groups, [](const AdmissionGroupConfig& group) { return group.route_owned; });
  }

  if (!config.shed_response.sorry_page.empty()) {
    config.shed_response.sorry_page_html =
        read_relative_file(config.source, config.shed_response.sorry_page, max_sorry_page_bytes,
                           "a sorry page must stay under 1MiB (it is sent to every shed browser)",
                           "shed_response.sorry_page", context)
            .value_or("");
  }
}

}  // namespace levee::config::detail
