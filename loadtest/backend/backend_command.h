#pragma once
// Flags of `levee-load backend`.

#include <CLI/App.hpp>
#include <functional>

namespace levee::load {

// Registers the subcommand on `app`; the returned function validates and runs it.
std::function<int()> add_backend_command(CLI::App& app);

}  // namespace levee::load
