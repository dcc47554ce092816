// levee: the command line. Parses arguments, loads the config, runs the Server; nothing else.
//   levee [run] --config FILE    run the proxy
//   levee check FILE             validate a config and exit 0 (valid) or 1 (errors listed)
//   levee --version

#include "proxy/config/loader.h"
#include "proxy/http/tls_context.h"
#include "proxy/http/upstream_tls.h"
#include "proxy/server.h"

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include <malloc.h>

#include <cstdio>
#include <iostream>

// jemalloc's options, read once at start (the levee binary links jemalloc, proxy/CMakeLists.txt;
// without it nothing reads this). jemalloc gives freed pages back to the kernel only when it is
// called, and an idle proxy hardly calls it: the memory of sessions that ended (10,000
// connections that did one request each and were then parked, parked_connection.h) stayed in
// RSS, 38 MiB instead of 25 MiB. A background thread purges them once they have been free for
// the usual decay time (10 s), off the I/O threads.
extern "C" const char* malloc_conf;
const char* malloc_conf = "background_thread:true";

namespace {

int check(const std::string& path) {
  const auto result = levee::config::load_file(path, levee::config::process_environment());
  for (const auto& error : result.errors) std::cerr << error.to_string() << "\n";
  if (!result.ok()) {
    std::cerr << path << ": " << result.errors.size() << " error(s)\n";
    return 1;
  }
  // The certificate and key are loaded as at start: a config that would not start is not ok.
  if (const auto tls = levee::http::make_server_tls_context(result.config->listener.tls, result.config->listener.http2.enabled); !tls.error.empty()) {
    std::cerr << path << ": " << tls.error << "\n";
    return 1;
  }
  for (const auto& upstream : result.config->upstreams) {
    if (const auto tls = levee::http::make_upstream_tls(upstream); !tls.error.empty()) {
      std::cerr << path << ": " << tls.error << "\n";
      return 1;
    }
  }
  std::cout << path << ": ok (" << result.config->routes.size() << " route(s), " << result.config->upstreams.size()
            << " upstream(s))\n";
  return 0;
}

int run(const std::string& path) {
  const auto result = levee::config::load_file(path, levee::config::process_environment());
  if (!result.ok()) {
    for (const auto& error : result.errors) spdlog::error("{}", error.to_string());
    spdlog::error("{}: not starting: {} config error(s)", path, result.errors.size());
    return 1;
  }
  spdlog::set_level(spdlog::level::from_str(result.config->logging.level));
  levee::Server server(result.config);
  return server.run();
}

// glibc gives freed memory back to the kernel as soon as 128 KiB sits free at the top of the
// heap, and serves large blocks from fresh mmaps. A proxy allocates and frees body-sized blocks
// (a 64 KiB response read whole) on every request, so the default turns each one into page
// faults and trims: measured, it cut 64 KiB-response throughput to a third (bench/overhead
// --response-size 64K: 0.32x HAProxy's req/s, 4x its CPU per request; with these, 0.97x and
// 1.08x). Keep up to 64 MiB of free heap and take blocks up to 4 MiB from the heap.
void tune_allocator() {
  mallopt(M_TRIM_THRESHOLD, 64 * 1024 * 1024);
  mallopt(M_MMAP_THRESHOLD, 4 * 1024 * 1024);
}

}  // namespace

int main(int argc, char** argv) {
  tune_allocator();
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
  CLI::App app{"levee: an overload-protection sidecar proxy"};
  app.set_version_flag("--version", std::string("levee ") + LEVEE_VERSION);
  std::string config_path = "config/levee.yaml";
  app.add_option("-c,--config", config_path, "YAML configuration file")->capture_default_str();
  app.fallthrough();
  auto* run_command = app.add_subcommand("run", "run the proxy (the default)");
  auto* check_command = app.add_subcommand("check", "validate a configuration file and exit");
  std::string check_path;
  check_command->add_option("file", check_path, "configuration file")->required();
  (void)run_command;
  app.require_subcommand(0, 1);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }
  if (*check_command) return check(check_path);
  return run(config_path);
}
