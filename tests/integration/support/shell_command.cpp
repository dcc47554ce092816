#include "shell_command.h"

#include <gtest/gtest.h>

#include <csignal>

#include "child_process.h"

namespace levee::testing {

Command run_command(const std::string& command) {
  ChildProcess process("/bin/sh", {"-c", command});
  Command result;
  const auto status = process.wait(std::chrono::seconds(20));
  result.output = process.output();
  if (!status) process.signal(SIGKILL);
  result.status = status.value_or(-1);
  return result;
}

void make_certificate(const std::filesystem::path& dir, const std::string& name) {
  const auto made = run_command(
      "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj /CN=" + name +
      " -addext subjectAltName=DNS:localhost,IP:127.0.0.1 -keyout " + (dir / (name + ".key")).string() + " -out " +
      (dir / (name + ".pem")).string() + " 2>&1");
  ASSERT_EQ(made.status, 0) << made.output;
}

}  // namespace levee::testing
