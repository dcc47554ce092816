// limit_sim: every limit algorithm through every scenario of the deterministic simulator
// (bench/limits/sim). Prints a table and issue 12's acceptance checks; --html writes the
// traces. A full run takes a few seconds.
//
//   build/release/bench/limits/limit_sim [--scenario NAME]... [--algorithm NAME]... [--html out.html] [--seed N]
//       [--adaptive NAME] [--trace SECONDS] [--no-abort] [--service-cancels] [--as-before] [--strict]
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <chrono>
#include <fstream>
#include <iostream>

#include "bench/limits/sim/acceptance.h"
#include "bench/limits/sim/algorithms.h"
#include "bench/limits/sim/report.h"
#include "bench/limits/sim/simulator.h"

int main(int argc, char** argv) {
  using namespace levee::sim;
  std::vector<std::string> scenarios, algorithms;
  std::string html;
  std::uint64_t seed = 1;
  bool strict = false;
  double trace = 0;
  bool no_abort = false;
  bool service_cancels = false;
  bool as_before = false;
  std::string adaptive = "knee";

  std::string scenario_names, algorithm_names;
  for (const Scenario& s : all_scenarios()) scenario_names += (scenario_names.empty() ? "" : ", ") + s.name;
  for (const std::string& a : all_algorithms()) algorithm_names += (algorithm_names.empty() ? "" : ", ") + a;
  CLI::App app{"limit_sim: levee's limit algorithms in a deterministic simulation of an overloaded service"};
  app.add_option("--scenario", scenarios, "Run only these scenarios: " + scenario_names);
  app.add_option("--algorithm", algorithms, "Run only these algorithms: " + algorithm_names);
  app.add_option("--html", html, "Write the traces to this HTML file");
  app.add_option("--seed", seed, "Random seed (default 1)");
  app.add_flag("--strict", strict, "Exit 1 when an acceptance check fails");
  app.add_flag("--no-abort", no_abort,
               "levee waits for the answer when a caller leaves (releasing the permit as abandoned then) instead of "
               "aborting the upstream exchange");
  app.add_flag("--service-cancels", service_cancels,
               "The service drops a queued request once levee closes its connection (most do not)");
  app.add_flag("--as-before", as_before,
               "The http layer as it was before issue 12: no abort, and an exchange whose caller left is reported as "
               "ignored (neither the limit nor the collapse detector sees it)");
  app.add_option("--adaptive", adaptive, "The algorithm the adaptive-limit criteria are checked for (default knee)");
  app.add_option("--trace", trace, "Print each run's series at this resolution in seconds (e.g. 1 or 0.1)");
  CLI11_PARSE(app, argc, argv);

  if (scenarios.empty()) {
    for (const Scenario& s : all_scenarios()) scenarios.push_back(s.name);
  }
  if (algorithms.empty()) algorithms = all_algorithms();
  for (const std::string& name : scenarios) {
    if (find_scenario(name) == nullptr) {
      std::cerr << fmt::format("unknown scenario '{}'; one of: {}\n", name, scenario_names);
      return 2;
    }
  }
  for (const std::string& name : algorithms) {
    if (!is_algorithm(name)) {
      std::cerr << fmt::format("unknown algorithm '{}'; one of: {}\n", name, algorithm_names);
      return 2;
    }
  }

  const auto start = std::chrono::steady_clock::now();
  std::vector<Run> runs;
  for (const std::string& scenario_name : scenarios) {
    Scenario scenario = *find_scenario(scenario_name);
    if (no_abort) scenario.abort_on_leave = false;
    if (service_cancels) scenario.service.cancels_abandoned = true;
    if (as_before) {
      scenario.abort_on_leave = false;
      scenario.report_abandoned = false;
    }
    for (const std::string& algorithm : algorithms) {
      Run run = simulate(scenario, settings_for(algorithm, scenario), seed);
      run.algorithm = algorithm;
      runs.push_back(std::move(run));
    }
  }
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  if (trace > 0) {
    for (const Run& run : runs) std::cout << text_trace(run, trace) << "\n";
  }

  const RunLookup lookup = [&](std::string_view scenario, std::string_view algorithm) -> const Run* {
    for (const Run& run : runs) {
      if (run.scenario == scenario && run.algorithm == algorithm) return &run;
    }
    return nullptr;
  };
  const std::vector<Check> checks = acceptance_checks(lookup, adaptive);
  const std::string default_name = default_algorithm();
  std::cout << text_table(runs, default_name) << "(* = levee's default kind; goodput = 2xx in time / min(C, offered);"
            << " late = exchanges whose caller left first;\n"
            << " settle = slowest return to 80% goodput (2 s windows) after a step;"
            << " p50/p99 = latency of the 2xx received in time, levee's queue included)\n\n"
            << text_checks(checks) << fmt::format("\n{} runs in {:.1f} s (seed {})\n", runs.size(), wall, seed);
  if (!html.empty()) {
    std::ofstream out(html);
    out << html_page(runs, checks, seed, default_name);
    if (!out) {
      std::cerr << "cannot write " << html << "\n";
      return 2;
    }
    std::cout << "wrote " << html << "\n";
  }
  if (strict) {
    for (const Check& c : checks) {
      if (!c.passed) return 1;
    }
  }
  return 0;
}
