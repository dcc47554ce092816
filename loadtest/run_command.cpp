#include "run_command.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <thread>

#include "client/driver.h"
#include "profile/profile_loader.h"
#include "report/report_data.h"

namespace levee::load {
namespace {

constexpr auto progress_interval = std::chrono::seconds(1);
constexpr auto start_delay = std::chrono::milliseconds(200);  // threads are up before time zero
constexpr auto behind_warning = std::chrono::milliseconds(5);

struct RunFlags {
  RunOverrides overrides;
  std::string json_path, csv_path, html_path;
  bool quiet = false;
};

std::optional<boost::asio::ip::tcp::endpoint> resolve(const Url& url) {
  try {
    boost::asio::io_context ioc;
    boost::asio::ip::tcp::resolver resolver(ioc);
    return resolver.resolve(url.host, std::to_string(url.port)).begin()->endpoint();
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

// The live line: what is being offered and what comes back, and whether the generator keeps up.
void show_progress(const std::vector<std::unique_ptr<LiveCounters>>& live, const RunPlan& plan, double seconds,
                   LiveSnapshot& last, bool tty) {
  LiveSnapshot now;
  for (const auto& l : live) now.add(*l);
  const double rate = plan.schedule.rate_at(Nanos{static_cast<std::int64_t>(seconds * 1e9)});
  const std::size_t phase = plan.schedule.segment_at(Nanos{static_cast<std::int64_t>(seconds * 1e9)});
  const std::string line = fmt::format(
      "{:6.1f}s {:<10} target {:6.0f}/s | sent {:6}/s good {:6}/s late {:5} shed {:6}/s err {:5} timeout {:5} | "
      "in flight {:5} conns {:5}",
      seconds, phase < plan.phases.size() ? plan.phases[phase].name : "", rate, now.sent - last.sent,
      now.good - last.good, now.late - last.late, now.shed - last.shed, now.errors - last.errors,
      now.timeouts - last.timeouts, now.in_flight, now.connections);
  if (tty) fmt::print(stderr, "\r{}\x1b[K", line);
  else fmt::print(stderr, "{}\n", line);
  if (now.lag_max_ns > std::chrono::duration_cast<Nanos>(behind_warning).count())
    fmt::print(stderr, "{}WARNING: the generator is {:.1f} ms behind its schedule: results understate the load\n",
               tty ? "\n" : "", static_cast<double>(now.lag_max_ns) / 1e6);
  if (now.not_sent > last.not_sent)
    fmt::print(stderr, "{}WARNING: {} requests could not be sent (connection cap reached)\n", tty ? "\n" : "",
               now.not_sent - last.not_sent);
  now.lag_max_ns = 0;
  last = now;
}

bool write_file(const std::string& path, const std::string& text) {
  if (path.empty()) return true;
  std::ofstream out(path, std::ios::trunc);
  out << text;
  if (!out) {
    fmt::print(stderr, "levee-load: cannot write {}\n", path);
    return false;
  }
  return true;
}

int run(const RunFlags& flags) {
  auto built = build_plan(flags.overrides);
  if (const auto* error = std::get_if<std::string>(&built)) {
    fmt::print(stderr, "levee-load run: {}\n", *error);
    return 2;
  }
  const RunPlan& plan = std::get<RunPlan>(built);
  std::vector<boost::asio::ip::tcp::endpoint> endpoints;
  for (std::size_t i = 0; i < plan.targets.size(); ++i) {
    const auto endpoint = resolve(plan.targets[i]);
    if (!endpoint) {
      fmt::print(stderr, "levee-load run: cannot resolve {}\n", plan.target_texts[i]);
      return 2;
    }
    endpoints.push_back(*endpoint);
  }
  int max_attempt = plan.retry.mode == RetryMode::none ? 0 : plan.retry.max_retries;
  const RequestBytes requests(plan.targets, plan.request, max_attempt);

  const auto threads = static_cast<unsigned>(plan.threads);
  const auto start = std::chrono::steady_clock::now() + start_delay;
  std::vector<std::unique_ptr<LiveCounters>> live;
  std::vector<std::unique_ptr<Driver>> drivers;
  for (unsigned t = 0; t < threads; ++t) {
    live.push_back(std::make_unique<LiveCounters>());
    drivers.push_back(std::make_unique<Driver>(DriverSetup{plan.schedule, plan.arrivals, t, threads, plan.seed, endpoints,
                                                           requests, plan.client, plan.retry, start, *live.back()}));
  }
  if (!flags.quiet)
    fmt::print(stderr, "levee-load: {} {} -> {} for {:.1f}s ({:.0f} requests planned, {} thread(s))\n", plan.name,
               plan.label, fmt::join(plan.target_texts, ", "), to_seconds(plan.schedule.duration()),
               plan.schedule.total_count(), threads);
  std::vector<std::thread> workers;
  for (auto& driver : drivers) workers.emplace_back([d = driver.get()] { d->run(); });

  const bool tty = isatty(STDERR_FILENO) != 0;
  LiveSnapshot last;
  for (int tick = 1;; ++tick) {
    std::this_thread::sleep_until(start + progress_interval * tick);
    bool all_done = true;
    for (const auto& l : live) all_done = all_done && l->finished.load(std::memory_order_relaxed);
    if (!flags.quiet) show_progress(live, plan, std::chrono::duration<double>(progress_interval * tick).count(), last, tty);
    if (all_done) break;
  }
  for (auto& worker : workers) worker.join();
  if (tty && !flags.quiet) fmt::print(stderr, "\n");

  std::vector<ThreadRecords> records;
  for (const auto& driver : drivers) records.push_back(driver->records());
  const Series series = bucketize(records, plan.bucket, plan.schedule.duration());
  const RunAnalysis analysis = analyze(records, series, plan.phases, plan.capacity, plan.recovery, plan.validity);
  std::vector<ThresholdResult> results;
  bool failed = false;
  for (const auto& threshold : plan.thresholds) {
    results.push_back(evaluate(threshold, analysis.metrics));
    failed = failed || !results.back().passed;
  }
  const std::string verdict = !analysis.valid ? "invalid" : failed ? "failed" : "passed";
  const ReportData data{plan, series, analysis, results, verdict};

  fmt::print("\n{} {}: {}\n", plan.name, plan.label, verdict);
  for (const Metric& m : analysis.metrics) fmt::print("  {:<24} {}\n", m.name, format_metric(m));
  for (const auto& reason : analysis.invalid_reasons) fmt::print("  INVALID: {}\n", reason);
  for (const auto& result : results) fmt::print("  {} {}\n", result.passed ? "pass" : "FAIL", result.message);

  bool written = write_file(flags.json_path, json_report(data));
  written = write_file(flags.csv_path, csv_series(series)) && written;
  written = write_file(flags.html_path, html_report(data)) && written;
  if (!written) return 2;
  if (!analysis.valid) return 3;
  return failed ? 1 : 0;
}

}  // namespace

std::function<int()> add_run_command(CLI::App& app) {
  auto flags = std::make_shared<RunFlags>();
  auto* cmd = app.add_subcommand("run", "Send open-model traffic by a profile and judge overload and recovery");
  auto& o = flags->overrides;
  cmd->add_option("--profile,-p", o.profile_path, "Profile YAML (phases, client model, retries)");
  cmd->add_option("--target,-t", o.targets, "Target URL (repeatable; overrides the profile)");
  cmd->add_option("--capacity", o.capacity, "The target's capacity in req/s (phases may say '3x')");
  cmd->add_option("--rate", o.rate, "Single-phase run at this rate (req/s) instead of the profile's phases");
  cmd->add_option("--duration", o.duration, "Duration of the --rate phase (default 10s)");
  cmd->add_option("--timeout", o.timeout, "Client timeout and user deadline (e.g. 1s)");
  cmd->add_option("--retry", o.retry_mode, "Retry model: none, impatient, backoff, retry_after");
  cmd->add_option("--max-retries", o.max_retries, "Retries per user request");
  cmd->add_option("--threads", o.threads, "Sending threads");
  cmd->add_option("--connections", o.connections, "Connection cap across threads");
  cmd->add_option("--header,-H", o.headers, "Extra request header 'Name: value' (repeatable)");
  cmd->add_option("--label", o.label, "Label shown in reports (e.g. direct, levee)");
  cmd->add_option("--seed", o.seed, "Random seed (Poisson arrivals, jitter)");
  cmd->add_option("--assert", o.asserts, "Threshold, e.g. 'recovery_time<=2s' (repeatable)");
  cmd->add_option("--json", flags->json_path, "Write the JSON report here");
  cmd->add_option("--csv", flags->csv_path, "Write the 100 ms time series as CSV here");
  cmd->add_option("--html", flags->html_path, "Write the self-contained HTML report here");
  cmd->add_flag("--quiet,-q", flags->quiet, "No progress display");
  return [flags] { return run(*flags); };
}

}  // namespace levee::load
