#include "engine.h"

#include "common/file_limit.h"

#include <fmt/format.h>
#include <unistd.h>

#include <thread>

namespace levee::load {
namespace {

constexpr auto progress_interval = std::chrono::seconds(1);
constexpr auto start_delay = std::chrono::milliseconds(200);  // threads are up before time zero
constexpr auto behind_warning = std::chrono::milliseconds(5);

// The live line: what is being offered and what comes back, and whether the generator keeps up.
void show_progress(const RunOutput& out, const RunPlan& plan, Nanos at, LiveSnapshot& last, bool tty,
                   const EngineOptions& options) {
  LiveSnapshot now;
  for (const auto& l : out.live) now.add(*l);
  // The line covers the second before `at`: name the phase and rate of its middle.
  const Nanos mid = at - std::chrono::milliseconds(500);
  // By time, not by schedule segment: with flows the schedule (their sum) breaks where any flow
  // changes, and the phases are the run's bands.
  std::size_t phase = 0;
  while (phase + 1 < plan.phases.size() && mid >= plan.phases[phase].end) ++phase;
  if (!options.quiet) {
    const std::string line = fmt::format(
        "{:6.1f}s {:<10} target {:6.0f}/s | sent {:6}/s good {:6}/s late {:5} shed {:6}/s err {:5} timeout {:5} | "
        "in flight {:5} conns {:5}",
        to_seconds(at), phase < plan.phases.size() && mid < plan.schedule.duration() ? plan.phases[phase].name : "(drain)",
        mid < plan.schedule.duration() ? plan.schedule.rate_at(mid) : 0.0, now.sent - last.sent, now.good - last.good,
        now.late - last.late, now.shed - last.shed, now.errors - last.errors, now.timeouts - last.timeouts,
        now.in_flight, now.connections);
    if (tty) fmt::print(stderr, "\r{}\x1b[K", line);
    else fmt::print(stderr, "{}\n", line);
  }
  // Loud even when quiet: results from a generator that cannot keep up understate the load.
  if (options.warn_behind && now.lag_max_ns > std::chrono::duration_cast<Nanos>(behind_warning).count())
    fmt::print(stderr, "{}WARNING: levee-load is {:.1f} ms BEHIND its schedule: the run may be invalid\n",
               tty && !options.quiet ? "\n" : "", static_cast<double>(now.lag_max_ns) / 1e6);
  if (now.not_sent > last.not_sent)
    fmt::print(stderr, "{}WARNING: {} requests could NOT BE SENT (connection cap reached)\n",
               tty && !options.quiet ? "\n" : "", now.not_sent - last.not_sent);
  now.lag_max_ns = 0;
  last = now;
}

}  // namespace

std::vector<ThreadRecords> RunOutput::records() const {
  std::vector<ThreadRecords> out;
  for (const auto& driver : drivers) out.push_back(driver->records());
  return out;
}

std::variant<std::vector<boost::asio::ip::tcp::endpoint>, std::string> resolve_targets(const RunPlan& plan) {
  std::vector<boost::asio::ip::tcp::endpoint> endpoints;
  boost::asio::io_context ioc;
  boost::asio::ip::tcp::resolver resolver(ioc);
  for (std::size_t i = 0; i < plan.targets.size(); ++i) {
    boost::system::error_code ec;
    const auto results = resolver.resolve(plan.targets[i].host, std::to_string(plan.targets[i].port), ec);
    if (ec || results.empty()) return fmt::format("cannot resolve {}: {}", plan.target_texts[i], ec.message());
    endpoints.push_back(results.begin()->endpoint());
  }
  return endpoints;
}


std::unique_ptr<RunOutput> execute(const RunPlan& plan, const std::vector<boost::asio::ip::tcp::endpoint>& endpoints,
                                   const EngineOptions& options) {
  // Every connection is a descriptor; a retry storm holds thousands.
  const std::size_t wanted = static_cast<std::size_t>(plan.client.max_connections) + 64;
  if (const std::size_t limit = raise_file_limit(); limit < wanted)
    fmt::print(stderr, "levee-load: WARNING: only {} file descriptors for up to {} connections: connects may fail\n",
               limit, wanted);
  auto out = std::make_unique<RunOutput>();
  out->flows = flows_to_send(plan);
  for (const FlowPlan& flow : out->flows) {
    const int max_attempt = flow.retry.mode == RetryMode::none ? 0 : flow.retry.max_retries;
    std::vector<RequestTemplate> templates;
    for (const auto& entry : flow.mix) templates.push_back(entry.request);
    if (templates.empty()) templates.push_back(flow.request);
    out->requests.emplace_back(plan.targets, templates, max_attempt);
  }
  if (options.aggregate_while_running)
    out->aggregates.reset(new SharedAggregates{{}, *options.aggregate_while_running});
  const auto threads = static_cast<unsigned>(plan.threads);
  const auto start = std::chrono::steady_clock::now() + start_delay;
  for (unsigned t = 0; t < threads; ++t) {
    out->live.push_back(std::make_unique<LiveCounters>());
    out->drivers.push_back(std::make_unique<Driver>(DriverSetup{out->flows, out->requests, plan.arrivals, t, threads,
                                                                plan.seed, endpoints, plan.client.max_connections, start,
                                                                *out->live.back(), out->aggregates.get(), options.tls,
                                                                options.http2}));
  }
  std::vector<std::thread> workers;
  for (auto& driver : out->drivers) workers.emplace_back([d = driver.get()] { d->run(); });

  const bool tty = isatty(STDERR_FILENO) != 0;
  LiveSnapshot last;
  for (int tick = 1;; ++tick) {
    std::this_thread::sleep_until(start + progress_interval * tick);
    bool all_done = true;
    for (const auto& l : out->live) all_done = all_done && l->finished.load(std::memory_order_relaxed);
    show_progress(*out, plan, progress_interval * tick, last, tty, options);
    if (all_done) break;
  }
  for (auto& worker : workers) worker.join();
  if (out->aggregates) {
    for (const auto& driver : out->drivers) out->aggregates->total.merge(*driver->aggregates());
  }
  if (tty && !options.quiet) fmt::print(stderr, "\n");
  return out;
}

}  // namespace levee::load
