#include "profile/profile_loader.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <charconv>

#include "profile/flow_loader.h"
#include "profile/request_mix_loader.h"
#include "profile/yaml_read.h"

namespace levee::load {
namespace {

// The profile's top level, as read before flags override it.
struct ProfileRead {
  std::vector<YAML::Node> phases;
  std::optional<YAML::Node> flows;
  std::optional<YAML::Node> requests;  // a request mix
  ClientRead client{false, std::string("levee-timeout")};
  std::vector<std::string> asserts;
};

void read_profile(const YAML::Node& root, RunPlan& plan, ProfileRead& read) {
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
    } else if (key == "client") read_client(value, "client", plan.client, read.client);
    else if (key == "retry") read_retry(value, "retry", plan.retry);
    else if (key == "recovery") {
      for (const auto& r : value) {
        const auto k = r.first.as<std::string>();
        if (k == "window") plan.recovery.window = duration_of(r.second, "recovery.window");
        else if (k == "tolerance") plan.recovery.tolerance = r.second.as<double>();
        else if (k == "hold") plan.recovery.hold = duration_of(r.second, "recovery.hold");
        else throw PlanError{fmt::format("{}recovery.{}: unknown key (window, tolerance, hold)", where(r.first), k)};
      }
    } else if (key == "phases") {
      for (const auto& p : value) read.phases.push_back(p);
    } else if (key == "flows") read.flows = value;
    else if (key == "requests") read.requests = value;
    else if (key == "assert") {
      for (const auto& a : value) read.asserts.push_back(a.as<std::string>());
    } else {
      throw PlanError{fmt::format("{}{}: unknown key (name, target, targets, capacity, arrivals, seed, threads, "
                                  "request, requests, client, retry, recovery, phases, flows, assert)",
                                  where(entry.first), key)};
    }
  }
}

void build_phases(const std::vector<YAML::Node>& nodes, RunPlan& plan) {
  PhaseList list = read_phases(nodes, plan.capacity, "phases");
  if (list.segments.empty()) throw PlanError{"no phases: give a profile with phases, or --rate and --duration"};
  plan.phases = std::move(list.phases);
  plan.schedule = Schedule(std::move(list.segments));
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
  ProfileRead read;
  const std::string source = o.profile_path.value_or("command line");
  try {
    if (o.capacity) plan.capacity = o.capacity;
    if (o.profile_path) {
      const YAML::Node root = YAML::LoadFile(*o.profile_path);
      read_profile(root, plan, read);
      if (o.capacity) plan.capacity = o.capacity;  // the flag wins over the profile
    }
    if (o.rate) {
      if (read.flows) throw PlanError{"--rate: the profile declares flows, each with its own rate"};
      read.phases.clear();
      YAML::Node phase;
      phase["name"] = "steady";
      phase["role"] = "other";
      phase["rate"] = fmt::format("{}", *o.rate);
      phase["duration"] = o.duration.value_or("10s");
      read.phases.push_back(phase);
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
      read.client.deadline_given = true;
    }
    if (!read.client.deadline_given) plan.client.deadline = plan.client.timeout;
    if (o.deadline_header) read.client.deadline_header = *o.deadline_header;
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
    if (plan.retry.max_retries < 0 || plan.retry.max_retries > 10) throw PlanError{"retry.max_retries must be 0..10"};
    if (plan.retry.mode == RetryMode::none) plan.retry.max_retries = 0;
    plan.request.keep_alive = plan.client.keep_alive;
    plan.request.retry_header = plan.retry.header;
    // The caller's patience, so a proxy can tell a request that cannot finish in time.
    const auto& header = read.client.deadline_header;
    plan.request.deadline_header = header && *header != "none" ? *header : "";
    if (read.requests) {
      if (read.flows) throw PlanError{fmt::format("{}requests: not with flows: (give each flow its own request)", where(*read.requests))};
      if (o.method || o.body)
        throw PlanError{"--method/--body: the profile has a request mix (requests:); give method and body per request"};
      plan.request_mix = read_request_mix(*read.requests, plan.request,
                                          std::filesystem::path(*o.profile_path).parent_path());
    }
    if (read.flows) {
      read_flows(*read.flows, read.phases,
                 FlowDefaults{plan.request, plan.client, read.client.deadline_given, plan.retry, plan.capacity}, plan);
    } else {
      build_phases(read.phases, plan);
    }
  } catch (const PlanError& e) {
    return fmt::format("{}: {}", source, e.message);
  } catch (const YAML::Exception& e) {
    return fmt::format("{}: {}", source, e.what());
  }

  if (plan.target_texts.empty()) return fmt::format("{}: no target: give target in the profile or --target URL", source);
  for (const auto& text : plan.target_texts) {
    const auto url = parse_url(text);
    if (!url) return fmt::format("{}: target '{}': expected http(s)://host:port/path", source, text);
    plan.targets.push_back(*url);
  }
  if (plan.threads < 1 || plan.threads > 64) return fmt::format("{}: threads must be 1..64", source);
  if (plan.client.timeout <= Nanos{0} || plan.client.deadline <= Nanos{0})
    return fmt::format("{}: client timeout and deadline must be positive", source);
  if (plan.client.max_connections < 1) return fmt::format("{}: max_connections must be at least 1", source);
  read.asserts.insert(read.asserts.end(), o.asserts.begin(), o.asserts.end());
  for (const auto& text : read.asserts) {
    auto result = parse_threshold(text);
    if (const auto* error = std::get_if<std::string>(&result)) return fmt::format("--assert {}", *error);
    if (const auto error = check_flow_threshold(plan, std::get<Threshold>(result))) return fmt::format("--assert {}", *error);
    plan.thresholds.push_back(std::get<Threshold>(result));
  }
  return plan;
}

std::vector<FlowPlan> flows_to_send(const RunPlan& plan) {
  if (!plan.flows.empty()) return plan.flows;
  return {FlowPlan{plan.name, plan.phases, plan.schedule, plan.request, plan.client, plan.retry, std::nullopt,
                   plan.request_mix}};
}

}  // namespace levee::load
