#pragma once
// `levee-load compare A.json B.json -o page.html`: two runs overlaid on one HTML page.
// Exit codes: 0 written, 2 usage error, unreadable or not a report, unwritable output.

#include <CLI/App.hpp>
#include <functional>

namespace levee::load {

std::function<int()> add_compare_command(CLI::App& app);

}  // namespace levee::load
