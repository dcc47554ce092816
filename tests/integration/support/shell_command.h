#pragma once
// Command-line clients for integration tests (curl, nghttp, openssl), run through /bin/sh to
// their end within a bound, and a throwaway certificate for TLS listeners.

#include <filesystem>
#include <string>

namespace levee::testing {

struct Command {
  int status = -1;  // exit status; -1: killed after 20 s
  std::string output;
};

// Runs `command` with /bin/sh -c; stdout and stderr are both in `output`.
Command run_command(const std::string& command);

// A self-signed EC certificate for localhost / 127.0.0.1 with `name` as its CN, written to
// dir/name.pem and dir/name.key. Fails the current test when openssl does.
void make_certificate(const std::filesystem::path& dir, const std::string& name);

}  // namespace levee::testing
