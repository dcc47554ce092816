#include "profile/flow_loader.h"

#include "profile/profile_loader.h"
#include "stats/flow_stats.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>

namespace levee::load {
namespace {

constexpr std::size_t max_flows = 65535;  // a user record stores its flow in 16 bits

std::string replace_all(std::string text, std::string_view from, std::string_view to) {
  for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
  return text;
}

// One flow's declaration, before `count:` makes its members.
struct FlowDecl {
  std::string name;
  std::size_t count = 1;
  bool counted = false;
  std::vector<std::pair<std::string, std::string>> headers;
  std::optional<std::string> rate;
  std::optional<Nanos> duration;
  std::vector<YAML::Node> phases;
  std::optional<KeySpec> keys;
  ClientModel client;
  ClientRead client_read;
  RetryPolicy retry;
  YAML::Node node;
};

KeySpec read_keys(const YAML::Node& node, std::string_view prefix) {
  KeySpec keys;
  std::uint64_t count = 0;
  if (node.IsScalar()) {
    count = node.as<std::uint64_t>();
  } else if (node.IsMap()) {
    for (const auto& k : node) {
      const auto key = k.first.as<std::string>();
      if (key == "count") count = k.second.as<std::uint64_t>();
      else if (key == "order") {
        const auto order = k.second.as<std::string>();
        if (order != "sequential" && order != "random")
          throw PlanError{fmt::format("{}{}.keys.order: expected sequential or random", where(k.second), prefix)};
        keys.random = order == "random";
      } else throw PlanError{fmt::format("{}{}.keys.{}: unknown key (count, order)", where(k.first), prefix, key)};
    }
  }
  if (count < 1 || count > std::numeric_limits<std::uint32_t>::max())
    throw PlanError{fmt::format("{}{}.keys: expected a count of 1..4294967295 distinct keys", where(node), prefix)};
  keys.count = static_cast<std::uint32_t>(count);
  return keys;
}

FlowDecl read_decl(const YAML::Node& node, std::size_t index, const FlowDefaults& defaults) {
  const auto prefix = fmt::format("flows[{}]", index);
  if (!node.IsMap()) throw PlanError{fmt::format("{}{}: expected a map with name and rate or phases", where(node), prefix)};
  FlowDecl d;
  d.node = node;
  d.client = defaults.client;
  d.client_read.deadline_given = defaults.deadline_given;
  d.retry = defaults.retry;
  for (const auto& entry : node) {
    const auto key = entry.first.as<std::string>();
    const YAML::Node& value = entry.second;
    if (key == "name") d.name = value.as<std::string>();
    else if (key == "count") {
      const auto count = value.as<long long>();
      if (count < 1 || static_cast<std::size_t>(count) > max_flows)
        throw PlanError{fmt::format("{}{}.count: expected 1..{}", where(value), prefix, max_flows)};
      d.count = static_cast<std::size_t>(count);
      d.counted = true;
    } else if (key == "headers") {
      if (!value.IsMap()) throw PlanError{fmt::format("{}{}.headers: expected a map of name: value", where(value), prefix)};
      for (const auto& h : value) d.headers.emplace_back(h.first.as<std::string>(), h.second.as<std::string>());
    } else if (key == "rate") d.rate = value.as<std::string>();
    else if (key == "duration") d.duration = duration_of(value, prefix + ".duration");
    else if (key == "phases") {
      if (!value.IsSequence()) throw PlanError{fmt::format("{}{}.phases: expected a list", where(value), prefix)};
      for (const auto& p : value) d.phases.push_back(p);
    } else if (key == "keys") d.keys = read_keys(value, prefix);
    else if (key == "client") {
      const Nanos timeout_before = d.client.timeout;
      const bool deadline_before = d.client_read.deadline_given;
      d.client_read.deadline_given = false;
      read_client(value, prefix + ".client", d.client, d.client_read);
      if (d.client_read.deadline_header || d.client.max_connections != defaults.client.max_connections)
        throw PlanError{fmt::format("{}{}.client: deadline_header and max_connections are set for the whole run", where(value), prefix)};
      // A flow that sets its own timeout but no deadline: the deadline follows its timeout,
      // unless the profile declared a deadline of its own.
      if (!d.client_read.deadline_given && !deadline_before && d.client.timeout != timeout_before) d.client.deadline = d.client.timeout;
      d.client_read.deadline_given = d.client_read.deadline_given || deadline_before;
    } else if (key == "retry") read_retry(value, prefix + ".retry", d.retry);
    else throw PlanError{fmt::format("{}{}.{}: unknown key (name, count, headers, rate, duration, phases, keys, client, retry)",
                                     where(entry.first), prefix, key)};
  }
  if (d.name.empty()) throw PlanError{fmt::format("{}{}: needs a name", where(node), prefix)};
  if (d.name == all_flows) throw PlanError{fmt::format("{}{}: '{}' stands for all flows in flow: thresholds; choose another name", where(node), prefix, all_flows)};
  if (d.rate.has_value() == !d.phases.empty())
    throw PlanError{fmt::format("{}{} '{}': give either rate (with an optional duration) or phases", where(node), prefix, d.name)};
  if (d.duration && !d.rate) throw PlanError{fmt::format("{}{}.duration: only with rate (phases carry their own)", where(node), prefix)};
  std::size_t keyed = 0;
  for (const auto& [name, value] : d.headers) keyed += value.find("{key}") != std::string::npos ? 1 : 0;
  if (d.keys && keyed != 1)
    throw PlanError{fmt::format("{}{}.keys: exactly one header value must contain {{key}}", where(node), prefix)};
  if (!d.keys && keyed > 0) throw PlanError{fmt::format("{}{}: a header uses {{key}} but the flow has no keys:", where(node), prefix)};
  if (d.retry.mode == RetryMode::none) d.retry.max_retries = 0;
  if (d.retry.max_retries < 0 || d.retry.max_retries > 10)
    throw PlanError{fmt::format("{}{}.retry.max_retries must be 0..10", where(node), prefix)};
  if (d.client.timeout <= Nanos{0} || d.client.deadline <= Nanos{0})
    throw PlanError{fmt::format("{}{}.client: timeout and deadline must be positive", where(node), prefix)};
  return d;
}

// A flow's phases: its own, or one constant phase named after it.
PhaseList phases_of(const FlowDecl& d, std::size_t index, std::optional<double> capacity, std::optional<Nanos> run_length) {
  const auto prefix = fmt::format("flows[{}]", index);
  if (!d.phases.empty()) return read_phases(d.phases, capacity, prefix + ".phases");
  const auto rate = parse_rate(*d.rate, capacity);
  if (const auto* error = std::get_if<std::string>(&rate)) throw PlanError{fmt::format("{}{}.rate: {}", where(d.node), prefix, *error)};
  const std::optional<Nanos> length = d.duration ? d.duration : run_length;
  if (!length)
    throw PlanError{fmt::format("{}{} '{}': give it a duration (no phases elsewhere say how long the run is)", where(d.node), prefix, d.name)};
  const double r = std::get<double>(rate);
  return PhaseList{{PhaseInfo{d.name, PhaseRole::other, Nanos{0}, *length, r, r}}, {RateSegment{*length, r, r}}};
}

RequestTemplate request_of(const FlowDecl& d, const FlowDefaults& defaults, std::size_t member) {
  RequestTemplate request = defaults.request;
  for (const auto& [name, value] : d.headers) {
    const std::string text = d.counted ? replace_all(value, "{i}", std::to_string(member)) : value;
    // A flow's header replaces the profile's header of the same name.
    std::erase_if(request.headers, [&](const auto& h) {
      return std::equal(h.first.begin(), h.first.end(), name.begin(), name.end(),
                        [](char a, char b) { return std::tolower(a) == std::tolower(b); });
    });
    request.headers.emplace_back(name, text);
  }
  request.keep_alive = d.client.keep_alive;
  request.retry_header = d.retry.header;
  return request;
}

// With flows, the profile's phases are time bands: the rates shown for them are the flows' sum.
std::vector<PhaseInfo> bands_of(const std::vector<YAML::Node>& nodes, const Schedule& sum) {
  std::vector<PhaseInfo> bands;
  Nanos at{0};
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    const YAML::Node& node = nodes[i];
    if (node["rate"]) throw PlanError{fmt::format("{}phases[{}].rate: with flows, rates belong to the flows", where(node), i)};
    if (!node["duration"]) throw PlanError{fmt::format("{}phases[{}]: needs a duration", where(node), i)};
    YAML::Node copy = YAML::Clone(node);
    copy["rate"] = "0";
    PhaseInfo band = read_phases({copy}, std::nullopt, fmt::format("phases[{}]", i)).phases.front();
    band.start += at;
    band.end += at;
    at = band.end;
    bands.push_back(band);
  }
  if (bands.empty()) bands.push_back(PhaseInfo{"run", PhaseRole::other, Nanos{0}, sum.duration(), 0, 0});
  for (PhaseInfo& band : bands) {
    band.start_rate = sum.rate_at(band.start);
    band.end_rate = sum.rate_before(band.end);
  }
  return bands;
}

}  // namespace

void read_flows(const YAML::Node& list, const std::vector<YAML::Node>& bands, const FlowDefaults& defaults, RunPlan& plan) {
  if (!list.IsSequence() || list.size() == 0) throw PlanError{fmt::format("{}flows: expected a list of flows", where(list))};
  std::vector<FlowDecl> decls;
  std::set<std::string> names;
  for (std::size_t i = 0; i < list.size(); ++i) {
    decls.push_back(read_decl(list[i], i, defaults));
    if (!names.insert(decls.back().name).second)
      throw PlanError{fmt::format("{}flows[{}]: a second flow named '{}'", where(list[i]), i, decls.back().name)};
  }
  // How long a flow with only a rate lasts: the profile's bands, else the longest phased flow.
  std::optional<Nanos> run_length;
  Nanos banded{0};
  for (const auto& b : bands) banded += b["duration"] ? duration_of(b["duration"], "phases.duration") : Nanos{0};
  if (banded > Nanos{0}) run_length = banded;
  for (std::size_t i = 0; i < decls.size() && banded == Nanos{0}; ++i) {
    if (decls[i].phases.empty()) continue;
    const Nanos end = phases_of(decls[i], i, defaults.capacity, std::nullopt).phases.back().end;
    run_length = std::max(run_length.value_or(Nanos{0}), end);
  }
  for (std::size_t i = 0; i < decls.size(); ++i) {
    const FlowDecl& d = decls[i];
    const PhaseList phases = phases_of(d, i, defaults.capacity, run_length);
    plan.flow_groups.push_back(FlowGroup{d.name, plan.flows.size(), d.count, d.counted});
    for (std::size_t member = 1; member <= d.count; ++member) {
      if (plan.flows.size() >= max_flows) throw PlanError{fmt::format("flows: more than {} flows", max_flows)};
      if (d.counted && !names.insert(fmt::format("{}-{}", d.name, member)).second)
        throw PlanError{fmt::format("{}flows[{}]: member {}-{} clashes with another flow's name", where(d.node), i, d.name, member)};
      plan.flows.push_back(FlowPlan{d.counted ? fmt::format("{}-{}", d.name, member) : d.name, phases.phases,
                                    Schedule(phases.segments), request_of(d, defaults, member), d.client, d.retry, d.keys});
    }
  }
  std::vector<const Schedule*> schedules;
  for (const FlowPlan& f : plan.flows) schedules.push_back(&f.schedule);
  plan.schedule = sum_schedules(schedules);
  plan.phases = bands_of(bands, plan.schedule);
}

std::optional<std::string> check_flow_threshold(const RunPlan& plan, const Threshold& t) {
  constexpr std::string_view prefix = "flow:";
  if (!t.metric.starts_with(prefix)) return std::nullopt;
  const auto dot = t.metric.rfind('.');
  std::string subject = t.metric.substr(prefix.size(), dot - prefix.size());
  std::string phase;
  if (const auto at = subject.find('@'); at != std::string::npos) {
    phase = subject.substr(at + 1);
    subject.resize(at);
  }
  const std::vector<PhaseInfo>* phases = subject == all_flows ? &plan.phases : nullptr;
  for (const FlowGroup& g : plan.flow_groups) {
    if (g.name == subject) phases = &plan.flows[g.first].phases;
  }
  for (const FlowPlan& f : plan.flows) {
    if (f.name == subject) phases = &f.phases;
  }
  if (phases == nullptr) return fmt::format("'{}': no flow named '{}'", t.text, subject);
  if (!phase.empty() && std::none_of(phases->begin(), phases->end(), [&](const PhaseInfo& p) { return p.name == phase; }))
    return fmt::format("'{}': flow '{}' has no phase '{}'", t.text, subject, phase);
  return std::nullopt;
}

}  // namespace levee::load
