#pragma once
// `levee-load probe`: find a target's capacity by a step search on constant rates, each step a
// short open-model run judged by goodput and a latency bound. Prints "capacity: N req/s".
// Exit codes: 0 found, 1 not even the first step passed, 2 usage error.

#include <CLI/App.hpp>
#include <functional>

namespace levee::load {

std::function<int()> add_probe_command(CLI::App& app);

}  // namespace levee::load
