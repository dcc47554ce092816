#include "stack.h"

#include <gtest/gtest.h>

#include <csignal>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace levee::testing {

std::string levee_binary() { return LEVEE_BINARY; }
std::string levee_load_binary() { return LEVEE_LOAD_BINARY; }

Backend start_backend(const std::vector<std::string>& extra_args) {
  std::vector<std::string> args{"backend", "--listen", "127.0.0.1:0", "--io-threads", "1"};
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  Backend backend;
  backend.process = std::make_unique<ChildProcess>(levee_load_binary(), args);
  const auto line = backend.process->wait_for_line("listening on ", std::chrono::seconds(10));
  if (!line) throw std::runtime_error("backend did not start: " + backend.process->output());
  backend.port = port_of(first_word(*line));
  return backend;
}

std::string basic_config(const std::string& upstream_address, const std::string& listener_extra,
                         const std::string& upstream_extra) {
  std::ostringstream yaml;
  yaml << "server:\n  threads: 2\n  drain_timeout: 5s\n"
       << "listener:\n  address: 127.0.0.1:0\n" << listener_extra
       << "admin:\n  address: 127.0.0.1:0\n"
       << "upstreams:\n  - name: backend\n    address: " << upstream_address << "\n" << upstream_extra;
  return yaml.str();
}

Levee::~Levee() {
  if (!process) return;
  if (process->running()) process->signal(SIGTERM);
  const auto status = process->wait(std::chrono::seconds(20));
  if (!status) {
    ADD_FAILURE() << "levee did not exit within 20 s of SIGTERM:\n" << process->output();
  } else if (*status != 0 && *status != 128 + SIGKILL) {  // a test may kill it on purpose
    ADD_FAILURE() << "levee exited with status " << *status << ":\n" << process->output();
  }
  if (const auto report = sanitizer_report(process->output()); !report.empty())
    ADD_FAILURE() << "sanitizer report from levee:\n" << report;
}

std::string sanitizer_report(const std::string& output) {
  for (const char* marker : {"ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:",
                             "WARNING: ThreadSanitizer"}) {
    const auto at = output.find(marker);
    if (at != std::string::npos) return output.substr(output.rfind('\n', at) == std::string::npos ? 0 : output.rfind('\n', at) + 1, 4000);
  }
  return {};
}

Levee start_levee(const std::string& yaml, const std::vector<std::string>& extra_env) {
  Levee levee;
  levee.config_path = write_temp_file("levee.yaml", yaml);
  levee.process = std::make_unique<ChildProcess>(levee_binary(), std::vector<std::string>{"--config", levee.config_path},
                                                 extra_env);
  const auto proxy = levee.process->wait_for_line("proxy listening on ", std::chrono::seconds(10));
  const auto admin = levee.process->wait_for_line("admin listening on ", std::chrono::seconds(2));
  if (!proxy || !admin) throw std::runtime_error("levee did not start: " + levee.process->output());
  levee.port = port_of(first_word(*proxy));
  levee.admin_port = port_of(first_word(*admin));
  return levee;
}

double metric_value(unsigned short admin_port, const std::string& series) {
  const auto response = fetch(admin_port, "GET", "/metrics");
  std::istringstream lines(response.body);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.rfind(series, 0) == 0 && line.size() > series.size() && line[series.size()] == ' ')
      return std::stod(line.substr(series.size() + 1));
  }
  throw std::runtime_error("metric not found: " + series);
}

long rss_kib(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string key;
  while (status >> key) {
    if (key == "VmRSS:") {
      long value = 0;
      status >> value;
      return value;
    }
    status.ignore(4096, '\n');
  }
  return -1;
}

}  // namespace levee::testing
