#include "profile/yaml_read.h"

#include <fmt/format.h>

#include "profile/profile_loader.h"

namespace levee::load {
namespace {

std::optional<PhaseRole> role_of(std::string_view word) {
  if (word == "warmup") return PhaseRole::warmup;
  if (word == "baseline") return PhaseRole::baseline;
  if (word == "overload") return PhaseRole::overload;
  if (word == "recovery") return PhaseRole::recovery;
  if (word == "other") return PhaseRole::other;
  return std::nullopt;
}

}  // namespace

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

void read_client(const YAML::Node& map, std::string_view prefix, ClientModel& client, ClientRead& read) {
  if (!map.IsMap()) throw PlanError{fmt::format("{}{}: expected a map", where(map), prefix)};
  for (const auto& c : map) {
    const auto k = c.first.as<std::string>();
    const auto key = fmt::format("{}.{}", prefix, k);
    if (k == "timeout") client.timeout = duration_of(c.second, key);
    else if (k == "deadline") {
      client.deadline = duration_of(c.second, key);
      read.deadline_given = true;
    } else if (k == "keep_alive") client.keep_alive = c.second.as<bool>();
    else if (k == "max_connections") client.max_connections = c.second.as<int>();
    else if (k == "deadline_header") read.deadline_header = c.second.as<std::string>();
    else throw PlanError{fmt::format("{}{}: unknown key (timeout, deadline, keep_alive, max_connections, deadline_header)", where(c.first), key)};
  }
}

void read_retry(const YAML::Node& map, std::string_view prefix, RetryPolicy& retry) {
  if (!map.IsMap()) throw PlanError{fmt::format("{}{}: expected a map", where(map), prefix)};
  for (const auto& r : map) {
    const auto k = r.first.as<std::string>();
    const auto key = fmt::format("{}.{}", prefix, k);
    if (k == "mode") {
      const auto mode = retry_mode_of(r.second.as<std::string>());
      if (!mode) throw PlanError{fmt::format("{}{}: expected none, impatient, backoff or retry_after", where(r.second), key)};
      retry.mode = *mode;
    } else if (k == "max_retries") retry.max_retries = r.second.as<int>();
    else if (k == "base") retry.base = duration_of(r.second, key);
    else if (k == "cap") retry.cap = duration_of(r.second, key);
    else if (k == "header") retry.header = r.second.as<std::string>();
    else throw PlanError{fmt::format("{}{}: unknown key (mode, max_retries, base, cap, header)", where(r.first), key)};
  }
}

PhaseList read_phases(const std::vector<YAML::Node>& nodes, std::optional<double> capacity, std::string_view prefix) {
  PhaseList list;
  Nanos at{0};
  double previous = 0;
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    const YAML::Node& node = nodes[i];
    if (!node.IsMap()) throw PlanError{fmt::format("{}{}[{}]: expected a map", where(node), prefix, i)};
    PhaseInfo phase;
    phase.name = node["name"] ? node["name"].as<std::string>() : fmt::format("phase{}", i + 1);
    if (node["role"]) {
      const auto role = role_of(node["role"].as<std::string>());
      if (!role) throw PlanError{fmt::format("{}{}[{}].role: expected warmup, baseline, overload, recovery or other", where(node), prefix, i)};
      phase.role = *role;
    }
    if (!node["rate"] || !node["duration"])
      throw PlanError{fmt::format("{}{}[{}]: needs rate and duration", where(node), prefix, i)};
    const auto rate = parse_rate(node["rate"].as<std::string>(), capacity);
    if (const auto* error = std::get_if<std::string>(&rate)) throw PlanError{fmt::format("{}{}[{}].rate: {}", where(node), prefix, i, *error)};
    const Nanos length = duration_of(node["duration"], fmt::format("{}[{}].duration", prefix, i));
    const bool ramp = node["ramp"] && node["ramp"].as<bool>();
    phase.start = at;
    phase.end = at + length;
    phase.end_rate = std::get<double>(rate);
    phase.start_rate = ramp ? previous : phase.end_rate;
    list.segments.push_back(RateSegment{length, phase.start_rate, phase.end_rate});
    list.phases.push_back(phase);
    previous = phase.end_rate;
    at += length;
  }
  return list;
}

}  // namespace levee::load
