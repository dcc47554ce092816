// The access log as operators use it: request ids shared with the service, JSON lines, reopening
// after logrotate (SIGUSR1), and moving the log with a reload.

#include "support/stack.h"
#include "support/waits.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <functional>
#include <regex>
#include <sstream>
#include <thread>

namespace levee::testing {
namespace {
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

// Whether process `pid` holds `path` open.
bool holds_open(pid_t pid, const fs::path& path) {
  std::error_code ec;
  for (const auto& fd : fs::directory_iterator("/proc/" + std::to_string(pid) + "/fd", ec)) {
    std::error_code link_ec;
    if (fs::read_symlink(fd.path(), link_ec) == path) return true;
  }
  return false;
}

// A fresh directory per test, removed at the end.
class AccessLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("levee-access-log-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    backend_ = start_backend();
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string config(const std::string& access_log, const std::string& format = "text") const {
    return basic_config("127.0.0.1:" + std::to_string(backend_.port)) + "logging:\n  access_log: \"" + access_log +
           "\"\n  access_log_format: " + format + "\n";
  }
  void rewrite(const std::string& yaml) const { std::ofstream(levee_.config_path, std::ios::trunc) << yaml; }
  // Waits until the file at `path` holds `n` lines mentioning `part`.
  bool file_has(const fs::path& path, const std::string& part, std::size_t n = 1) const {
    return eventually([&] { return count_of(read_file(path), part) >= n; });
  }

  fs::path dir_;
  Backend backend_;
  Levee levee_;
};

TEST_F(AccessLogTest, RequestIdReachesTheServiceAndTheLog) {
  levee_ = start_levee(config("-"));
  // None sent: levee makes one up, forwards it, and logs it.
  const auto generated = fetch(levee_.port, "GET", "/headers");
  ASSERT_EQ(generated.status, 200u);
  std::smatch match;
  ASSERT_TRUE(std::regex_search(generated.body, match, std::regex("X-Request-Id: ([0-9a-f]{32})\n"))) << generated.body;
  EXPECT_TRUE(levee_.process->wait_for_line("request_id=" + match[1].str(), 5s)) << levee_.process->output();

  // A sane one sent: kept, end to end.
  const auto kept = fetch(levee_.port, "GET", "/headers", {}, {{"X-Request-Id", "trace-7f3a:01"}});
  EXPECT_NE(kept.body.find("X-Request-Id: trace-7f3a:01\n"), std::string::npos) << kept.body;
  EXPECT_EQ(count_of(kept.body, "X-Request-Id"), 1u) << kept.body;
  EXPECT_TRUE(levee_.process->wait_for_line("request_id=trace-7f3a:01", 5s)) << levee_.process->output();

  // An insane one (too long): replaced, so the service never sees it.
  const std::string too_long(200, 'a');
  const auto replaced = fetch(levee_.port, "GET", "/headers", {}, {{"X-Request-Id", too_long}});
  EXPECT_EQ(replaced.body.find(too_long), std::string::npos) << replaced.body;
  EXPECT_TRUE(std::regex_search(replaced.body, std::regex("X-Request-Id: [0-9a-f]{32}\n"))) << replaced.body;
}

TEST_F(AccessLogTest, JsonFormatWritesOneObjectPerLine) {
  const auto log = dir_ / "access.log";
  levee_ = start_levee(config(log.string(), "json"));
  ASSERT_EQ(fetch(levee_.port, "GET", "/?json-check", {}, {{"X-Request-Id", "json-1"}}).status, 200u);
  ASSERT_TRUE(file_has(log, "\"request_id\":\"json-1\"")) << read_file(log);
  const std::string text = read_file(log);
  EXPECT_EQ(text.rfind("{\"time\":\"", 0), 0u) << text;
  EXPECT_NE(text.find("\"request\":\"GET /?json-check HTTP/1.1\",\"status\":200,"), std::string::npos) << text;
  EXPECT_EQ(text.back(), '\n');
  EXPECT_EQ(text.back() == '\n' ? text[text.size() - 2] : ' ', '}') << text;
}

TEST_F(AccessLogTest, Sigusr1ReopensTheFileAfterLogrotateMovedIt) {
  const auto log = dir_ / "levee.log";
  const auto rotated = dir_ / "levee.log.1";
  levee_ = start_levee(config(log.string()));
  for (int i = 0; i < 3; ++i) ASSERT_EQ(fetch(levee_.port, "GET", "/?before").status, 200u);
  ASSERT_TRUE(file_has(log, "GET /?before", 3)) << read_file(log);

  fs::rename(log, rotated);
  levee_.process->signal(SIGUSR1);
  ASSERT_TRUE(levee_.process->wait_for_line("reopened access log", 5s)) << levee_.process->output();
  for (int i = 0; i < 2; ++i) ASSERT_EQ(fetch(levee_.port, "GET", "/?after").status, 200u);

  ASSERT_TRUE(file_has(log, "GET /?after", 2)) << read_file(log);
  EXPECT_EQ(count_of(read_file(log), "GET /?before"), 0u);
  EXPECT_EQ(count_of(read_file(rotated), "GET /?before"), 3u);
  EXPECT_EQ(count_of(read_file(rotated), "GET /?after"), 0u);
  // Every worker lets go of the rotated file, even one that served nothing since (2 workers).
  EXPECT_TRUE(eventually([&] { return !holds_open(levee_.process->pid(), rotated); }));
  EXPECT_TRUE(holds_open(levee_.process->pid(), log));
}

TEST_F(AccessLogTest, ReloadMovesTheLogAndAnUnopenableOneKeepsTheOld) {
  const auto first = dir_ / "first.log";
  const auto second = dir_ / "second.log";
  levee_ = start_levee(config(first.string()));
  ASSERT_EQ(fetch(levee_.port, "GET", "/?one").status, 200u);
  ASSERT_TRUE(file_has(first, "GET /?one")) << read_file(first);

  rewrite(config(second.string(), "json"));
  const auto moved = fetch(levee_.admin_port, "POST", "/reload");
  ASSERT_EQ(moved.status, 200u) << moved.body;
  ASSERT_EQ(fetch(levee_.port, "GET", "/?two").status, 200u);
  ASSERT_TRUE(file_has(second, "\"request\":\"GET /?two HTTP/1.1\"")) << read_file(second);
  EXPECT_EQ(count_of(read_file(first), "/?two"), 0u);

  fs::create_directories(dir_ / "blocked");
  rewrite(config((dir_ / "blocked").string()));  // a directory: cannot be opened for writing
  const auto refused = fetch(levee_.admin_port, "POST", "/reload");
  EXPECT_EQ(refused.status, 400u);
  EXPECT_NE(refused.body.find("cannot open access log"), std::string::npos) << refused.body;
  ASSERT_EQ(fetch(levee_.port, "GET", "/?three").status, 200u);
  EXPECT_TRUE(file_has(second, "\"request\":\"GET /?three HTTP/1.1\"")) << read_file(second);
  // The format stayed too: the whole config was kept.
  EXPECT_EQ(count_of(read_file(second), "GET /?three HTTP/1.1\" 200"), 0u);
}

}  // namespace
}  // namespace levee::testing
