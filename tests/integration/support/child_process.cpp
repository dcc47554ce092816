#include "child_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>

extern char** environ;

namespace levee::testing {
namespace {
using Clock = std::chrono::steady_clock;
}

ChildProcess::ChildProcess(const std::string& program, const std::vector<std::string>& args,
                           const std::vector<std::string>& extra_env) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, fds[1], STDERR_FILENO);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);

  std::vector<std::string> argv_storage{program};
  argv_storage.insert(argv_storage.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_storage) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<std::string> env_storage;
  for (char** e = environ; *e; ++e) env_storage.emplace_back(*e);
  env_storage.insert(env_storage.end(), extra_env.begin(), extra_env.end());
  std::vector<char*> envp;
  for (auto& e : env_storage) envp.push_back(e.data());
  envp.push_back(nullptr);

  const int rc = posix_spawn(&pid_, program.c_str(), &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  close(fds[1]);
  if (rc != 0) {
    close(fds[0]);
    throw std::runtime_error("cannot start " + program + ": " + std::strerror(rc));
  }
  out_fd_ = fds[0];
}

ChildProcess::~ChildProcess() {
  if (running()) {
    ::kill(pid_, SIGKILL);
    wait(std::chrono::seconds(5));
  }
  if (out_fd_ >= 0) close(out_fd_);
}

void ChildProcess::pump(std::chrono::milliseconds timeout) {
  if (out_fd_ < 0) return;
  pollfd pfd{out_fd_, POLLIN, 0};
  if (poll(&pfd, 1, static_cast<int>(timeout.count())) <= 0) return;
  char buffer[4096];
  const ssize_t n = read(out_fd_, buffer, sizeof buffer);
  if (n > 0) {
    output_.append(buffer, static_cast<std::size_t>(n));
  } else {
    close(out_fd_);
    out_fd_ = -1;
  }
}

std::optional<std::string> ChildProcess::wait_for_line(const std::string& needle, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  std::size_t searched = 0;
  for (;;) {
    const auto at = output_.find(needle, searched);
    if (at != std::string::npos) {
      const auto end = output_.find('\n', at);
      if (end != std::string::npos) return output_.substr(at + needle.size(), end - at - needle.size());
    }
    const auto now = Clock::now();
    if (now >= deadline || (out_fd_ < 0 && !running())) return std::nullopt;
    pump(std::chrono::duration_cast<std::chrono::milliseconds>(std::min<Clock::duration>(deadline - now, std::chrono::milliseconds(100))));
  }
}

void ChildProcess::signal(int signo) {
  if (pid_ > 0 && !exit_code_) ::kill(pid_, signo);
}

bool ChildProcess::running() {
  if (exit_code_ || pid_ <= 0) return false;
  int status = 0;
  const pid_t r = waitpid(pid_, &status, WNOHANG);
  if (r == pid_) {
    exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return false;
  }
  return true;
}

std::optional<int> ChildProcess::wait(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (running()) {
    if (Clock::now() >= deadline) return std::nullopt;
    pump(std::chrono::milliseconds(20));  // also keeps the pipe from filling up
    if (out_fd_ < 0) usleep(5000);
  }
  return exit_code_;
}

const std::string& ChildProcess::output() {
  while (out_fd_ >= 0) {
    pollfd pfd{out_fd_, POLLIN, 0};
    if (poll(&pfd, 1, 0) <= 0) break;
    pump(std::chrono::milliseconds(0));
  }
  return output_;
}

unsigned short port_of(const std::string& address) {
  const auto colon = address.rfind(':');
  if (colon == std::string::npos) return 0;
  return static_cast<unsigned short>(std::atoi(address.c_str() + colon + 1));
}

std::string first_word(const std::string& text) {
  const auto start = text.find_first_not_of(' ');
  if (start == std::string::npos) return {};
  const auto end = text.find_first_of(" \r\n", start);
  return text.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

namespace {

// The directory a test process writes its files in (configs, pages, certificates), removed with
// them when the process exits: a run of the suite leaves nothing behind in /tmp.
class TempDirectory {
 public:
  TempDirectory() {
    std::string path = (std::filesystem::temp_directory_path() / "levee-test-XXXXXX").string();
    if (mkdtemp(path.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = path;
  }
  ~TempDirectory() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDirectory(const TempDirectory&) = delete;
  TempDirectory& operator=(const TempDirectory&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

const std::filesystem::path& temp_directory() {
  static const TempDirectory directory;
  return directory.path();
}

}  // namespace

std::string write_temp_file(const std::string& name_hint, const std::string& content) {
  std::string path = (temp_directory() / "XXXXXX").string();
  const int fd = mkstemp(path.data());
  if (fd < 0) throw std::runtime_error("mkstemp failed");
  close(fd);
  const std::string named = path + "-" + name_hint;
  std::rename(path.c_str(), named.c_str());
  std::ofstream(named) << content;
  return named;
}

}  // namespace levee::testing
