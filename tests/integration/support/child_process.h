#pragma once
// A real child process for integration tests: started with posix_spawn, its stdout+stderr read
// through a pipe (so tests wait for "listening on ..." instead of sleeping), stopped with a
// signal, and always killed by the destructor so a failing test leaves nothing behind.

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace levee::testing {

class ChildProcess {
 public:
  ChildProcess(const std::string& program, const std::vector<std::string>& args,
               const std::vector<std::string>& extra_env = {});
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // Reads output until a line containing `needle` appears; returns the text after it on that
  // line. nullopt on timeout or exit.
  std::optional<std::string> wait_for_line(const std::string& needle, std::chrono::milliseconds timeout);
  void signal(int signo);
  // Exit code (or 128+signal) once the process ended within `timeout`, else nullopt.
  std::optional<int> wait(std::chrono::milliseconds timeout);
  bool running();
  pid_t pid() const { return pid_; }
  // Everything the process printed so far (for failure messages).
  const std::string& output();

 private:
  void pump(std::chrono::milliseconds timeout);

  pid_t pid_ = -1;
  int out_fd_ = -1;
  std::string output_;
  std::size_t scanned_lines_ = 0;
  std::optional<int> exit_code_;
};

// "127.0.0.1:1234" -> port; 0 if it does not parse.
unsigned short port_of(const std::string& address);

// A listening address (e.g. "127.0.0.1:41234") from a line like "... listening on 127.0.0.1:41234 ...".
std::string first_word(const std::string& text);

std::string write_temp_file(const std::string& name_hint, const std::string& content);

}  // namespace levee::testing
