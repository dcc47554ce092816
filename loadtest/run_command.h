#pragma once
// `levee-load run`: drive a profile against a target and judge the run.
// Exit codes: 0 passed, 1 a threshold failed, 2 usage or profile error, 3 invalid run.

#include <CLI/App.hpp>
#include <functional>

namespace levee::load {

std::function<int()> add_run_command(CLI::App& app);

}  // namespace levee::load
