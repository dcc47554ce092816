#include "run_command.h"

#include <fmt/format.h>

#include <cstdlib>
#include <fstream>
#include <memory>

#include "client/target_tls.h"
#include "engine.h"
#include "profile/profile_loader.h"
#include "report/report_data.h"
#include "report/request_log.h"

namespace levee::load {
namespace {

struct RunFlags {
  RunOverrides overrides;
  std::string json_path, csv_path, html_path, requests_path, flows_csv_path, summary_path, junit_path;
  bool quiet = false;
  bool http2 = false;
  ClientTlsSettings tls;
};

// One line per flow entry under the run's metrics.
void print_flows(const FlowAnalysis& flows) {
  auto ms = [](const Histogram& h, double q) { return std::chrono::duration<double, std::milli>(h.percentile(q)).count(); };
  fmt::print("  {:<24} {:>9} {:>9} {:>7} {:>8} {:>8} {:>9} {:>9}  {}\n", "flow", "offered", "goodput", "ratio", "shed",
             "timeouts", "p50", "p99", "worst member");
  for (const FlowEntry& f : flows.entries) {
    const Counters& c = f.stats.counters;
    const double ratio = c.offered > 0 ? static_cast<double>(c.goodput) / static_cast<double>(c.offered) : 0;
    fmt::print("  {:<24} {:>9} {:>9} {:>7.3f} {:>8} {:>8} {:>7.1f}ms {:>7.1f}ms  {}\n",
               f.counted ? fmt::format("{} ({})", f.name, f.members) : f.name, c.offered, c.goodput, ratio,
               c.of(Outcome::shed), c.of(Outcome::timeout), ms(f.stats.latency, 0.5), ms(f.stats.latency, 0.99),
               f.counted && f.worst_goodput_ratio ? fmt::format("{} {:.3f}", f.worst, *f.worst_goodput_ratio) : "");
  }
}

bool write_file(const std::string& path, const std::string& text, std::ios::openmode mode = std::ios::trunc) {
  if (path.empty()) return true;
  std::ofstream out(path, mode);
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
  const auto endpoints = resolve_targets(plan);
  if (const auto* error = std::get_if<std::string>(&endpoints)) {
    fmt::print(stderr, "levee-load run: {}\n", *error);
    return 2;
  }
  if (!flags.quiet)
    fmt::print(stderr, "levee-load: {} {} -> {} for {:.1f}s ({:.0f} requests planned, {} thread(s))\n", plan.name,
               plan.label, fmt::join(plan.target_texts, ", "), to_seconds(plan.schedule.duration()),
               plan.schedule.total_count(), plan.threads);
  // Flows and the --requests log are computed from every record at the end; otherwise the
  // drivers aggregate while running and keep only open records (issue 16: long runs).
  const bool keep_records = !plan.flows.empty() || !flags.requests_path.empty();
  auto tls = make_target_tls(plan.targets, flags.tls);
  if (const auto* error = std::get_if<std::string>(&tls)) {
    fmt::print(stderr, "levee-load run: {}\n", *error);
    return 2;
  }
  if (flags.http2) {
    for (std::size_t i = 0; i < plan.targets.size(); ++i) {
      if (plan.targets[i].tls) {
        fmt::print(stderr, "levee-load run: --http2 speaks h2c (cleartext, prior knowledge); {} is https\n",
                   plan.target_texts[i]);
        return 2;
      }
    }
  }
  EngineOptions options{flags.quiet, true};
  options.tls = std::get<0>(std::move(tls));
  options.http2 = flags.http2;
  if (!keep_records) options.aggregate_while_running.emplace(plan.bucket, plan.schedule.duration(), plan.phases);
  const auto output = execute(plan, std::get<0>(endpoints), options);

  const std::vector<ThreadRecords> records = output->records();
  const Series batch_series =
      output->aggregates ? Series{} : bucketize(records, plan.bucket, plan.schedule.duration());
  const Series& series = output->aggregates ? output->aggregates->total.series() : batch_series;
  const RunAnalysis analysis =
      output->aggregates ? analyze_aggregates(output->aggregates->total.phases(), series, plan.phases, plan.capacity,
                                              plan.recovery, plan.validity)
                         : analyze(records, series, plan.phases, plan.capacity, plan.recovery, plan.validity);
  std::optional<FlowAnalysis> flows;
  std::vector<Metric> metrics = analysis.metrics;
  if (!plan.flows.empty()) {
    flows = analyze_flows(records, FlowRun{output->flows, plan.flow_groups, plan.phases, plan.capacity, plan.bucket,
                                           plan.schedule.duration()});
    metrics.insert(metrics.end(), flows->metrics.begin(), flows->metrics.end());
  }
  std::vector<ThresholdResult> results;
  bool failed = false;
  for (const auto& threshold : plan.thresholds) {
    results.push_back(evaluate(threshold, metrics));
    failed = failed || !results.back().passed;
  }
  const std::string verdict = !analysis.valid ? "invalid" : failed ? "failed" : "passed";
  const ReportData data{plan, series, analysis, results, verdict, flows ? &*flows : nullptr};

  fmt::print("\n{} {}: {}\n", plan.name, plan.label, verdict);
  for (const Metric& m : analysis.metrics) fmt::print("  {:<24} {}\n", m.name, format_metric(m));
  if (flows) print_flows(*flows);
  for (const auto& reason : analysis.invalid_reasons) fmt::print("  INVALID: {}\n", reason);
  for (const auto& result : results) fmt::print("  {} {}\n", result.passed ? "pass" : "FAIL", result.message);
  std::fflush(stdout);

  bool written = write_file(flags.json_path, json_report(data));
  written = write_file(flags.csv_path, csv_series(series)) && written;
  written = write_file(flags.html_path, html_report(data)) && written;
  written = write_file(flags.junit_path, junit_report(data)) && written;
  // GitHub Actions shows $GITHUB_STEP_SUMMARY on the run's page; steps append to it.
  const char* step_summary = std::getenv("GITHUB_STEP_SUMMARY");
  if (!flags.summary_path.empty()) {
    written = write_file(flags.summary_path, markdown_summary(data, flags.html_path)) && written;
  } else if (step_summary != nullptr && *step_summary != '\0') {
    written = write_file(step_summary, markdown_summary(data, flags.html_path), std::ios::app) && written;
  }
  if (!flags.flows_csv_path.empty())
    written = write_file(flags.flows_csv_path, flows ? csv_flow_series(series, *flows) : std::string()) && written;
  if (!flags.requests_path.empty()) {
    std::ofstream out(flags.requests_path, std::ios::trunc);
    write_request_log(out, records);
    if (!out) {
      fmt::print(stderr, "levee-load: cannot write {}\n", flags.requests_path);
      written = false;
    }
  }
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
  cmd->add_option("--method,-X", o.method, "HTTP method (default GET)");
  cmd->add_option("--header,-H", o.headers, "Extra request header 'Name: value' (repeatable)");
  cmd->add_option("--body,-d", o.body, "Request body");
  cmd->add_option("--capacity", o.capacity, "The target's capacity in req/s (phases may say '3x')");
  cmd->add_option("--rate", o.rate, "Single-phase run at this rate (req/s) instead of the profile's phases");
  cmd->add_option("--duration", o.duration, "Duration of the --rate phase (default 10s)");
  cmd->add_option("--arrivals", o.arrivals, "uniform or poisson");
  cmd->add_option("--timeout", o.timeout, "Client timeout per attempt, e.g. 1s (then the connection is closed)");
  cmd->add_option("--deadline", o.deadline, "User deadline from arrival across retries (default: the timeout)");
  cmd->add_option("--deadline-header", o.deadline_header,
                  "Header carrying the caller's remaining patience (default levee-timeout; 'none' disables)");
  cmd->add_flag("--connection-per-request", o.connection_per_request, "No keep-alive: one connection per request");
  cmd->add_option("--connections", o.connections, "Keep-alive pool cap across threads");
  cmd->add_option("--retry", o.retry_mode, "Retry model: none, impatient, backoff, retry_after");
  cmd->add_option("--max-retries", o.max_retries, "Retries per user request");
  cmd->add_option("--retry-header", o.retry_header, "Header numbering retries (default Retry-Attempt)");
  cmd->add_option("--threads", o.threads, "Sending threads");
  cmd->add_option("--max-lag", o.max_lag, "Schedule lag p99 above which the run is invalid (default 5ms)");
  cmd->add_option("--label", o.label, "Label shown in reports (e.g. direct, levee)");
  cmd->add_option("--seed", o.seed, "Random seed (Poisson arrivals, jitter)");
  cmd->add_option("--assert", o.asserts, "Threshold, e.g. 'recovery_time<=2s' (repeatable)");
  cmd->add_option("--json", flags->json_path, "Write the JSON report here");
  cmd->add_option("--csv", flags->csv_path, "Write the 100 ms time series as CSV here");
  cmd->add_option("--flows-csv", flags->flows_csv_path,
                  "Write the 100 ms series per flow (a count: group is one flow) as CSV here");
  cmd->add_option("--html", flags->html_path, "Write the self-contained HTML report here");
  cmd->add_option("--summary", flags->summary_path,
                  "Write a Markdown summary here (default: append to $GITHUB_STEP_SUMMARY when it is set)");
  cmd->add_option("--junit", flags->junit_path, "Write the thresholds as JUnit XML here (one test case each)");
  cmd->add_option("--requests", flags->requests_path, "Write one CSV row per attempt here (user id, times, outcome)");
  cmd->add_flag("--insecure,-k", flags->tls.insecure, "https targets: accept any certificate (self-signed test rigs)");
  cmd->add_option("--ca-file", flags->tls.ca_file, "https targets: verify against the CAs in this PEM file");
  cmd->add_flag("--http2", flags->http2,
                "HTTP/2 by prior knowledge (h2c, http:// targets): attempts are streams on a few connections; "
                "a timed-out attempt is cancelled with RST_STREAM");
  cmd->add_flag("--quiet,-q", flags->quiet, "No progress display (warnings still shown)");
  return [flags] { return run(*flags); };
}

}  // namespace levee::load
