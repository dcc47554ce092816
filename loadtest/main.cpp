// levee-load: the open-model load generator and the capacity-limited backend it is tested with.
// main only wires the subcommands; each one owns its flags and returns its exit code.

#include <CLI/CLI.hpp>

#include <string>

#include "backend/backend_command.h"
#include "compare_command.h"
#include "probe_command.h"
#include "run_command.h"

int main(int argc, char** argv) {
  CLI::App app{"levee-load: open-model HTTP load generator and simulated backend"};
  // The proxy's version: the two ship together, and a report is read against the levee it tested.
  app.set_version_flag("--version,-V", std::string("levee-load ") + LEVEE_VERSION);
  app.require_subcommand(1);
  auto run_backend = levee::load::add_backend_command(app);
  auto run_load = levee::load::add_run_command(app);
  auto run_probe = levee::load::add_probe_command(app);
  auto run_compare = levee::load::add_compare_command(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // Help and --version are success; every other parse problem is a usage error (exit 2, as documented).
    return app.exit(e) == 0 ? 0 : 2;
  }
  if (app.got_subcommand("backend")) return run_backend();
  if (app.got_subcommand("run")) return run_load();
  if (app.got_subcommand("probe")) return run_probe();
  if (app.got_subcommand("compare")) return run_compare();
  return 2;
}
