#pragma once
// The simulator's outputs: a plain-text table (one row per scenario x algorithm) and one
// self-contained HTML page (inline CSS and SVG, no scripts) with, per scenario, the limit and
// the goodput of every algorithm over time.

#include <cstdint>
#include <string>
#include <vector>

#include "bench/limits/sim/acceptance.h"
#include "bench/limits/sim/run.h"
#include "bench/limits/sim/scenario.h"

namespace levee::sim {

std::string text_table(const std::vector<Run>& runs, std::string_view default_algorithm);
// The run's series, one line per `resolution` seconds (a multiple of the 100 ms bucket).
std::string text_trace(const Run& run, double resolution);
std::string text_checks(const std::vector<Check>& checks);
std::string html_page(const std::vector<Run>& runs, const std::vector<Check>& checks, std::uint64_t seed,
                      std::string_view default_algorithm);

}  // namespace levee::sim
