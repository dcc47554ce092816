#pragma once
// Small helpers the integration tests share: bounded waits (each polls until its condition
// holds or its time is up, so no test loops forever) and reading what a process wrote.
#include <chrono>
#include <cstddef>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <thread>

#include "support/stack.h"

namespace levee::testing {

// Polls `done` every `poll` until it holds (true) or `timeout` passes (false).
inline bool eventually(const std::function<bool()>& done, std::chrono::milliseconds timeout = std::chrono::seconds(5),
                       std::chrono::milliseconds poll = std::chrono::milliseconds(10)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(poll);
  }
  return true;
}

// Waits until levee's metric `series` equals `value`; 10 s is generous for a sanitizer build on
// a busy machine, and is only spent when the test fails anyway.
inline bool wait_for_metric(unsigned short admin_port, const std::string& series, double value,
                            std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
  return eventually([&] { return metric_value(admin_port, series) == value; }, timeout);
}

// Waits until levee's metric `series` is at least `value`.
inline bool wait_for_metric_at_least(unsigned short admin_port, const std::string& series, double value,
                                     std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
  return eventually([&] { return metric_value(admin_port, series) >= value; }, timeout);
}

// The whole of a file, empty when it cannot be read.
inline std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// How many times `part` occurs in `text` (not overlapping).
inline std::size_t count_of(const std::string& text, const std::string& part) {
  std::size_t n = 0;
  for (auto at = text.find(part); at != std::string::npos; at = text.find(part, at + part.size())) ++n;
  return n;
}

}  // namespace levee::testing
