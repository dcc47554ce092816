#include "backend/backend_command.h"

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <map>
#include <memory>

#include "backend/backend_server.h"
#include "common/file_limit.h"

namespace levee::load {

std::function<int()> add_backend_command(CLI::App& app) {
  struct Flags {
    BackendConfig config;
    std::string service_time = "10ms";
  };
  auto flags = std::make_shared<Flags>();
  BackendConfig& c = flags->config;
  CLI::App* sub = app.add_subcommand(
      "backend", "Capacity-limited HTTP service (W workers, unbounded FIFO queue) that collapses "
                 "under overload");
  sub->add_option("--listen", c.listen, "HOST:PORT to listen on (port 0: any)")
      ->capture_default_str();
  sub->add_option("--workers", c.workers, "Worker threads (concurrent /work requests)")
      ->check(CLI::Range(1, 4096))
      ->capture_default_str();
  sub->add_option("--service-time", flags->service_time, "Mean time one /work costs, e.g. 10ms")
      ->capture_default_str();
  sub->add_option("--distribution", c.service_time.distribution, "Service time distribution")
      ->transform(CLI::CheckedTransformer(
          std::map<std::string, Distribution>{{"fixed", Distribution::fixed},
                                              {"exponential", Distribution::exponential}}))
      ->default_str("fixed");
  sub->add_option("--mode", c.mode, "How a worker spends the service time")
      ->transform(CLI::CheckedTransformer(
          std::map<std::string, BurnMode>{{"sleep", BurnMode::sleep}, {"cpu", BurnMode::cpu}}))
      ->default_str("sleep");
  sub->add_option("--io-threads", c.io_threads, "Threads parsing requests and writing answers")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
  sub->add_option("--fail-ratio", c.fail_ratio, "Share of /work answered --fail-status at once")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  sub->add_option("--fail-status", c.fail_status, "Status of injected failures")
      ->check(CLI::Range(200u, 599u))
      ->capture_default_str();
  sub->add_flag("--fail-retry-after", c.fail_retry_after,
                "Injected 429/503 failures carry Retry-After (an overload signal)");
  sub->add_option("--reset-ratio", c.reset_ratio,
                  "Share of /work answered by resetting the connection (RST, no response)")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  sub->add_option("--seed", c.seed, "Seed of the service time and failure randomness")
      ->capture_default_str();

  return [flags] {
    auto service_time = parse_duration(flags->service_time);
    if (!service_time || service_time->count() <= 0) {
      fmt::print(stderr, "levee-load backend: --service-time: '{}' is not a positive duration "
                         "such as 10ms\n", flags->service_time);
      return 2;
    }
    flags->config.service_time.mean = *service_time;
    // A collapsing service holds a descriptor per abandoned request: let it, up to the hard limit.
    raise_file_limit();
    return run_backend(flags->config);
  };
}

}  // namespace levee::load
