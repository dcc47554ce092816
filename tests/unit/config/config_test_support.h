#pragma once
// Helpers shared by the config tests: a hermetic environment and temporary files.

#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>
#include <unistd.h>

#include "proxy/config/config_error.h"
#include "proxy/config/env.h"
#include "proxy/config/loader.h"

namespace levee::config::testing {

// An environment holding exactly `vars`: tests never see the process environment.
inline EnvLookup env_with(std::map<std::string, std::string, std::less<>> vars = {}) {
  return [vars = std::move(vars)](std::string_view name) -> std::optional<std::string> {
    const auto found = vars.find(name);
    if (found == vars.end()) return std::nullopt;
    return found->second;
  };
}

inline LoadResult load(std::string_view yaml, const EnvLookup& env = env_with()) {
  return load_string(yaml, "test.yaml", env);
}

// Every error on its own line, for failure messages.
inline std::string describe(const std::vector<ConfigError>& errors) {
  std::string out;
  for (const ConfigError& error : errors) out += error.to_string() + "\n";
  return out;
}

// Loads yaml that must be valid.
inline Config load_ok(std::string_view yaml, const EnvLookup& env = env_with()) {
  const LoadResult result = load(yaml, env);
  EXPECT_TRUE(result.ok()) << describe(result.errors);
  return result.ok() ? *result.config : Config{};
}

// The single error of yaml that must have exactly one.
inline ConfigError load_one_error(std::string_view yaml, const EnvLookup& env = env_with()) {
  const LoadResult result = load(yaml, env);
  EXPECT_FALSE(result.ok());
  EXPECT_EQ(result.errors.size(), 1u) << describe(result.errors);
  return result.errors.empty() ? ConfigError{} : result.errors.front();
}

// Whether `part` occurs in `text` (error messages, rendered YAML).
inline bool contains(const std::string& text, std::string_view part) { return text.find(part) != std::string::npos; }

// The admission group called `name`, or null.
inline const AdmissionGroupConfig* group(const Config& c, std::string_view name) {
  for (const auto& g : c.admission.groups) {
    if (g.name == name) return &g;
  }
  return nullptr;
}

// A fresh directory under the system temp dir, removed with everything in it.
class TempDir {
 public:
  TempDir() {
    static std::atomic<int> counter{0};
    const auto* test = ::testing::UnitTest::GetInstance()->current_test_info();
    path_ = std::filesystem::temp_directory_path() /
            ("levee_config_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter++) + "_" +
             (test != nullptr ? test->name() : "x"));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }

  // Writes text to a file relative to the directory (creating subdirectories) and returns
  // its full path.
  std::string write(const std::string& relative, std::string_view text) const {
    const std::filesystem::path file = path_ / relative;
    std::filesystem::create_directories(file.parent_path());
    std::ofstream out(file, std::ios::binary);
    out << text;
    return file.string();
  }

 private:
  std::filesystem::path path_;
};

}  // namespace levee::config::testing
