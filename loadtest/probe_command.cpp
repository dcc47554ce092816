#include "probe_command.h"

#include <fmt/format.h>

#include <memory>
#include <thread>

#include "engine.h"
#include "profile/profile_loader.h"
#include "schedule/capacity_search.h"

namespace levee::load {
namespace {

struct ProbeFlags {
  RunOverrides overrides;
  std::string step = "3s";
  std::string cooldown = "3s";
  std::string latency_bound = "100ms";
  double start = 100;
  double factor = 1.5;
  int refine = 3;
  double max_rate = 50'000;
  ClientTlsSettings tls;
};

std::optional<Nanos> duration_flag(const std::string& text, std::string_view name) {
  auto d = parse_duration(text);
  if (!d) fmt::print(stderr, "levee-load probe: {}: expected a duration like 3s, got '{}'\n", name, text);
  return d;
}

int probe(ProbeFlags flags) {
  const auto step = duration_flag(flags.step, "--step");
  const auto cooldown = duration_flag(flags.cooldown, "--cooldown");
  const auto bound = duration_flag(flags.latency_bound, "--latency-bound");
  if (!step || !cooldown || !bound) return 2;
  CapacitySearch search({flags.start, flags.factor, flags.refine, flags.max_rate, *bound, 0.99});
  if (!search.next_rate()) {
    fmt::print(stderr, "levee-load probe: need start > 0, factor > 1, max-rate >= start\n");
    return 2;
  }
  flags.overrides.duration = flags.step;
  std::optional<std::vector<boost::asio::ip::tcp::endpoint>> endpoints;
  std::vector<TargetTls> tls;
  while (const auto rate = search.next_rate()) {
    flags.overrides.rate = *rate;
    auto built = build_plan(flags.overrides);
    if (const auto* error = std::get_if<std::string>(&built)) {
      fmt::print(stderr, "levee-load probe: {}\n", *error);
      return 2;
    }
    const RunPlan& plan = std::get<RunPlan>(built);
    if (!endpoints) {
      auto resolved = resolve_targets(plan);
      if (const auto* error = std::get_if<std::string>(&resolved)) {
        fmt::print(stderr, "levee-load probe: {}\n", *error);
        return 2;
      }
      endpoints = std::get<0>(resolved);
      auto made = make_target_tls(plan.targets, flags.tls);
      if (const auto* error = std::get_if<std::string>(&made)) {
        fmt::print(stderr, "levee-load probe: {}\n", *error);
        return 2;
      }
      tls = std::get<0>(std::move(made));
    }
    EngineOptions options{true, true};
    options.tls = tls;
    const auto output = execute(plan, *endpoints, options);
    const auto records = output->records();
    // The first fifth of a step is its warm-up (connections opening, queues settling).
    const std::int64_t warm = (*step / 5).count();
    const auto slots = aggregate(records, [warm](std::int64_t t) { return t < warm ? std::size_t{0} : std::size_t{1}; }, 2);
    const SlotStats& s = slots[1];
    const double ratio = s.counters.offered == 0 ? 0.0
                                                 : static_cast<double>(s.counters.goodput) /
                                                       static_cast<double>(s.counters.offered);
    const Nanos lag = s.lag.percentile(0.99);
    const StepResult result = search.record(ratio, s.latency.percentile(0.99));
    fmt::print(stderr, "probe {:8.0f} req/s: goodput {:6.2f}% p99 {:8.1f}ms lag p99 {:.2f}ms -> {}\n", result.rate,
               ratio * 100, std::chrono::duration<double, std::milli>(result.p99).count(),
               std::chrono::duration<double, std::milli>(lag).count(), result.passed ? "ok" : "over");
    if (lag > plan.validity.max_lag_p99) {
      fmt::print(stderr, "levee-load probe: WARNING: the generator fell behind at {:.0f} req/s; the capacity found "
                         "is the generator's, not the target's\n", result.rate);
      break;
    }
    // A queueing target needs time to work off the backlog a failed step left behind.
    if (search.next_rate()) std::this_thread::sleep_for(result.passed ? *cooldown / 3 : *cooldown);
  }
  if (!search.capacity()) {
    fmt::print("capacity: below {:.0f} req/s (no step passed)\n", flags.start);
    return 1;
  }
  fmt::print("capacity: {:.0f} req/s{}\n", *search.capacity(), search.hit_max() ? " (at least; --max-rate reached)" : "");
  return 0;
}

}  // namespace

std::function<int()> add_probe_command(CLI::App& app) {
  auto flags = std::make_shared<ProbeFlags>();
  auto* cmd = app.add_subcommand("probe", "Find a target's capacity by step search on rate with a latency bound");
  auto& o = flags->overrides;
  cmd->add_option("--target,-t", o.targets, "Target URL (repeatable)")->required();
  cmd->add_option("--method,-X", o.method, "HTTP method (default GET)");
  cmd->add_option("--header,-H", o.headers, "Extra request header 'Name: value' (repeatable)");
  cmd->add_option("--body,-d", o.body, "Request body");
  cmd->add_option("--latency-bound", flags->latency_bound, "p99 a passing step must stay under (default 100ms)");
  cmd->add_option("--start", flags->start, "First rate, req/s (default 100)");
  cmd->add_option("--factor", flags->factor, "Growth per passing step (default 1.5)");
  cmd->add_option("--refine", flags->refine, "Bisection steps after the first failure (default 3)");
  cmd->add_option("--max-rate", flags->max_rate, "Stop growing here (default 50000)");
  cmd->add_option("--step", flags->step, "Duration of each step (default 3s)");
  cmd->add_option("--cooldown", flags->cooldown, "Pause after a failed step, for the target to drain (default 3s)");
  cmd->add_option("--timeout", o.timeout, "Client timeout (default 1s)");
  cmd->add_option("--threads", o.threads, "Sending threads");
  cmd->add_option("--connections", o.connections, "Keep-alive pool cap");
  cmd->add_flag("--insecure,-k", flags->tls.insecure, "https targets: accept any certificate (self-signed test rigs)");
  cmd->add_option("--ca-file", flags->tls.ca_file, "https targets: verify against the CAs in this PEM file");
  return [flags] { return probe(*flags); };
}

}  // namespace levee::load
