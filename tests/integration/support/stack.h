#pragma once
// Starts the real binaries for an integration test: `levee-load backend` and levee in front of
// it, on 127.0.0.1 with ports chosen by the kernel (port 0) and read back from their output.

#include "child_process.h"
#include "test_client.h"

#include <memory>
#include <string>
#include <vector>

namespace levee::testing {

struct Backend {
  std::unique_ptr<ChildProcess> process;
  unsigned short port = 0;
};

// A running levee. At the end of the test it is stopped the way an operator stops it
// (SIGTERM, then its drain): the test fails unless it exits 0 and printed no sanitizer report,
// so leaks (LeakSanitizer runs at exit), data races and undefined behaviour fail the test that
// caused them instead of passing unnoticed under a SIGKILL.
struct Levee {
  Levee() = default;
  Levee(Levee&&) = default;
  Levee& operator=(Levee&&) = default;
  ~Levee();

  std::unique_ptr<ChildProcess> process;
  std::string config_path;
  unsigned short port = 0;
  unsigned short admin_port = 0;
};

// The first sanitizer report in `output` (AddressSanitizer, LeakSanitizer, UBSan's "runtime
// error", ThreadSanitizer), or "" when there is none.
std::string sanitizer_report(const std::string& output);

Backend start_backend(const std::vector<std::string>& extra_args = {});

// `upstream_section` is YAML placed under `upstreams:`'s first item after name/address, and
// `extra_yaml` is appended at top level (other sections). ${UPSTREAM} in either is replaced
// with the upstream's address.
Levee start_levee(const std::string& yaml, const std::vector<std::string>& extra_env = {});

// Minimal config: one upstream at `upstream_address`, listener and admin on port 0, 1 thread.
std::string basic_config(const std::string& upstream_address, const std::string& listener_extra = "",
                         const std::string& upstream_extra = "");

// Reads the value of a metric sample (first line starting with `series`) from /metrics.
double metric_value(unsigned short admin_port, const std::string& series);

long rss_kib(pid_t pid);

std::string levee_binary();
std::string levee_load_binary();

}  // namespace levee::testing
