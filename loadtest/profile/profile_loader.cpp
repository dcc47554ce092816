#include "profile/profile_loader.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <charconv>

namespace levee::load {
namespace {

struct PlanError {
  std::string message;
};

std::string where(const YAML::Node& node) {
  return node.Mark().is_null() ? "" : fmt::format("line {}: ", node.Mark().line + 1);
}

Nanos duration_of(const YAML::Node& node, std::string_view key) {
  const auto text = node.as<std::string>();
  const auto value = parse_duration(text);
  if (!value) throw PlanError{fmt::format("{}{}: expected a duration like 500ms or 2s, got '{}'", where(node), key, text)};
  return *value;
}

std::optional<RetryMode> retry_mode_of(std::string_view word) {
  if (word == "none") return RetryMode::none;
  if (word == "impatient") return RetryMode::impatient;
  if (word == "backoff") return RetryMode::backoff;
  if (word == "retry_after" || word == "retry-after") return RetryMode::retry_after;
  return std::nullopt;
}

std::optional<PhaseRole> role_of(std::string_view word) {
  if (word == "warmup") return PhaseRole::warmup;
  if (word == "baseline") return PhaseRole::baseline;
  if (word == "overload") return PhaseRole::overload;
  if (word == "recovery") return PhaseRole::recovery;
  if (word == "other") return PhaseRole::other;
  return std::nullopt;
}

void read_profile(const YAML::Node& root, RunPlan& plan, std::vector<YAML::Node>& phases,
                  std::optional<std::string>& deadline_header, std::vector<std::string>& asserts,
                  bool& deadline_given) {
  if (!root.IsMap()) throw PlanError{"expected a map at the top of the profile"};
  for (const auto& entry : root) {
    const auto key = entry.first.as<std::string>();
    const YAML::Node& value = entry.second;
    if (key == "name") plan.name = value.as<std::string>();
    else if (key == "target") plan.target_texts = {value.as<std::string>()};
    else if (key == "targets") plan.target_texts = value.as<std::vector<std::string>>();
    else if (key == "capacity") plan.capacity = value.as<double>();
    else if (key == "arrivals") {
      const auto word = value.as<std::string>();
      if (word != "uniform" && word != "poisson") throw PlanError{fmt::format("{}arrivals: expected uniform or poisson", where(value))};
      plan.arrivals = word == "poisson" ? ArrivalKind::poisson : ArrivalKind::uniform;
    } else if (key == "seed") plan.seed = value.as<std::uint64_t>();
    else if (key == "threads") plan.threads = value.as<int>();
    else if (key == "request") {
      for (const auto& r : value) {
        const auto k = r.first.as<std::string>();
        if (k == "method") plan.request.method = r.second.as<std::string>();
        else if (k == "body") plan.request.body = r.second.as<std::string>();
        else if (k == "headers")
          for (const auto& h : r.second) plan.request.headers.emplace_back(h.first.as<std::string>(), h.second.as<std::string>());
        else throw PlanError{fmt::format("{}request.{}: unknown key (method, headers, body)", where(r.first), k)};
      }
    } else if (key == "client") {
      for (const auto& c : value) {
        const auto k = c.first.as<std::string>();
        if (k == "timeout") plan.client.timeout = duration_of(c.second, "client.timeout");
        else if (k == "deadline") {
          plan.client.deadline = duration_of(c.second, "client.deadline");
          deadline_given = true;
        }
        else if (k == "keep_alive") plan.client.keep_alive = c.second.as<bool>();
        else if (k == "max_connections") plan.client.max_connections = c.second.as<int>();
        else if (k == "deadline_header") deadline_header = c.second.as<std::string>();
        else throw PlanError{fmt::format("{}client.{}: unknown key (timeout, deadline, keep_alive, max_connections, deadline_header)", where(c.first), k)};
      }
    } else if (key == "retry") {
      for (const auto& r : value) {
        const auto k = r.first.as<std::string>();
        if (k == "mode") {
          const auto mode = retry_mode_of(r.second.as<std::string>());
          if (!mode) throw PlanError{fmt::format("{}retry.mode: expected none, impatient, backoff or retry_after", where(r.second))};
          plan.retry.mode = *mode;
        } else if (k == "max_retries") plan.retry.max_retries = r.second.as<int>();
        else if (k == "base") plan.retry.base = duration_of(r.second, "retry.base");
        else if (k == "cap") plan.retry.cap = duration_of(r.second, "retry.cap");
        else if (k == "header") plan.retry.header = r.second.as<std::string>();
        else throw PlanError{fmt::format("{}retry.{}: unknown key (mode, max_retries, base, cap, header)", where(r.first), k)};
      }
    } else if (key == "recovery") {
      for (const auto& r : value) {
        const auto k = r.first.as<std::string>();
        if (k == "window") plan.recovery.window = duration_of(r.second, "recovery.window");
        else if (k == "tolerance") plan.recovery.tolerance = r.second.as<double>();
        else if (k == "hold") plan.recovery.hold = duration_of(r.second, "recovery.hold");
        else throw PlanError{fmt::format("{}recovery.{}: unknown key (window, tolerance, hold)", where(r.first), k)};
      }
    } else if (key == "phases") {
      for (const auto& p : value) phases.push_back(p);
    } else if (key == "assert") {
      for (const auto& a : value) asserts.push_back(a.as<std::string>());
    } else {
      throw PlanError{fmt::format("{}{}: unknown key (name, target, targets, capacity, arrivals, seed, threads, "
                                  "request, client, retry, recovery, phases, assert)",
                                  where(entry.first), key)};
    }
  }
}

void build_phases(const std::vector<YAML::Node>& nodes, RunPlan& plan) {
  std::vector<RateSegment> segments;
  Nanos at{0};
  double previous = 0;
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    const YAML::Node& node = nodes[i];
    PhaseInfo phase;
    phase.name = node["name"] ? node["name"].as<std::string>() : fmt::format("phase{}", i + 1);
    if (node["role"]) {
      const auto role = role_of(node["role"].as<std::string>());
      if (!role) throw PlanError{fmt::format("{}phases[{}].role: expected warmup, baseline, overload, recovery or other", where(node), i)};
      phase.role = *role;
    }
    if (!node["rate"] || !node["duration"])
      throw PlanError{fmt::format("{}phases[{}]: needs rate and duration", where(node), i)};
    const auto rate = parse_rate(node["rate"].as<std::string>(), plan.capacity);
    if (const auto* error = std::get_if<std::string>(&rate)) throw PlanError{fmt::format("{}phases[{}].rate: {}", where(node), i, *error)};
    const Nanos length = duration_of(node["duration"], fmt::format("phases[{}].duration", i));
    const bool ramp = node["ramp"] && node["ramp"].as<bool>();
    phase.start = at;
    phase.end = at + length;
    phase.end_rate = std::get<double>(rate);
    phase.start_rate = ramp ? previous : phase.end_rate;
    segments.push_back(RateSegment{length, phase.start_rate, phase.end_rate});
    plan.phases.push_back(phase);
    previous = phase.end_rate;
    at += length;
  }
  if (segments.empty()) throw PlanError{"no phases: give a profile with phases, or --rate and --duration"};
  plan.schedule = Schedule(std::move(segments));
}

}  // namespace

std::variant<double, std::string> parse_rate(std::string_view text, std::optional<double> capacity) {
  const bool multiple = !text.empty() && (text.back() == 'x' || text.back() == 'X');
  const std::string_view number = multiple ? text.substr(0, text.size() - 1) : text;
  double value = 0;
  const auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), value);
  if (ec != std::errc{} || end != number.data() + number.size() || value < 0)
    return fmt::format("expected a rate like 400 (req/s) or 3x (times capacity), got '{}'", text);
  if (!multiple) return value;
  if (!capacity) return fmt::format("'{}' is a multiple of capacity: give capacity in the profile or --capacity", text);
  return value * *capacity;
}

std::variant<RunPlan, std::string> build_plan(const RunOverrides& o) {
  RunPlan plan;
  std::vector<YAML::Node> phases;
  std::optional<std::string> deadline_header = std::string("levee-timeout");
  bool deadline_given = false;  // else the user's deadline is the client timeout
  std::vector<std::string> asserts;
  const std::string source = o.profile_path.value_or("command line");
  try {
    if (o.capacity) plan.capacity = o.capacity;
    if (o.profile_path) {
      const YAML::Node root = YAML::LoadFile(*o.profile_path);
      read_profile(root, plan, phases, deadline_header, asserts, deadline_given);
      if (o.capacity) plan.capacity = o.capacity;  // the flag wins over the profile
    }
    if (o.rate) {
      phases.clear();
      YAML::Node phase;
      phase["name"] = "steady";
      phase["role"] = "other";
      phase["rate"] = fmt::format("{}", *o.rate);
      phase["duration"] = o.duration.value_or("10s");
      phases.push_back(phase);
    }
    if (!o.targets.empty()) plan.target_texts = o.targets;
    if (o.timeout) {
      const auto t = parse_duration(*o.timeout);
      if (!t) throw PlanError{fmt::format("--timeout: expected a duration, got '{}'", *o.timeout)};
      plan.client.timeout = *t;
    }
    if (o.deadline) {
      const auto t = parse_duration(*o.deadline);
      if (!t) throw PlanError{fmt::format("--deadline: expected a duration, got '{}'", *o.deadline)};
      plan.client.deadline = *t;
      deadline_given = true;
    }
    if (!deadline_given) plan.client.deadline = plan.client.timeout;
    if (o.deadline_header) deadline_header = *o.deadline_header;
    if (o.method) plan.request.method = *o.method;
    if (o.body) plan.request.body = *o.body;
    if (o.retry_header) plan.retry.header = *o.retry_header;
    if (o.connection_per_request) plan.client.keep_alive = false;
    if (o.max_lag) {
      const auto lag = parse_duration(*o.max_lag);
      if (!lag) throw PlanError{fmt::format("--max-lag: expected a duration, got '{}'", *o.max_lag)};
      plan.validity.max_lag_p99 = *lag;
    }
    if (o.arrivals) {
      if (*o.arrivals != "uniform" && *o.arrivals != "poisson") throw PlanError{"--arrivals: expected uniform or poisson"};
      plan.arrivals = *o.arrivals == "poisson" ? ArrivalKind::poisson : ArrivalKind::uniform;
    }
    if (o.retry_mode) {
      const auto mode = retry_mode_of(*o.retry_mode);
      if (!mode) throw PlanError{"--retry: expected none, impatient, backoff or retry_after"};
      plan.retry.mode = *mode;
    }
    if (o.max_retries) plan.retry.max_retries = *o.max_retries;
    if (o.threads) plan.threads = *o.threads;
    if (o.connections) plan.client.max_connections = *o.connections;
    if (o.label) plan.label = *o.label;
    if (o.seed) plan.seed = *o.seed;
    for (const auto& header : o.headers) {
      const auto colon = header.find(':');
      if (colon == std::string::npos) throw PlanError{fmt::format("--header '{}': expected 'Name: value'", header)};
      auto value = header.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.erase(0, 1);
      plan.request.headers.emplace_back(header.substr(0, colon), value);
    }
    build_phases(phases, plan);
  } catch (const PlanError& e) {
    return fmt::format("{}: {}", source, e.message);
  } catch (const YAML::Exception& e) {
    return fmt::format("{}: {}", source, e.what());
  }

  if (plan.target_texts.empty()) return fmt::format("{}: no target: give target in the profile or --target URL", source);
  for (const auto& text : plan.target_texts) {
    const auto url = parse_url(text);
    if (!url) return fmt::format("{}: target '{}': expected http://host:port/path", source, text);
    plan.targets.push_back(*url);
  }
  if (plan.threads < 1 || plan.threads > 64) return fmt::format("{}: threads must be 1..64", source);
  if (plan.retry.max_retries < 0 || plan.retry.max_retries > 10) return fmt::format("{}: retry.max_retries must be 0..10", source);
  if (plan.retry.mode == RetryMode::none) plan.retry.max_retries = 0;
  plan.request.keep_alive = plan.client.keep_alive;
  plan.request.retry_header = plan.retry.header;
  // The caller's patience, so a proxy can tell a request that cannot finish in time.
  plan.request.deadline_header = deadline_header && *deadline_header != "none" ? *deadline_header : "";
  if (plan.client.timeout <= Nanos{0} || plan.client.deadline <= Nanos{0})
    return fmt::format("{}: client timeout and deadline must be positive", source);
  if (plan.client.max_connections < 1) return fmt::format("{}: max_connections must be at least 1", source);
  asserts.insert(asserts.end(), o.asserts.begin(), o.asserts.end());
  for (const auto& text : asserts) {
    auto result = parse_threshold(text);
    if (const auto* error = std::get_if<std::string>(&result)) return fmt::format("--assert {}", *error);
    plan.thresholds.push_back(std::get<Threshold>(result));
  }
  return plan;
}

}  // namespace levee::load
