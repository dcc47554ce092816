#pragma once
// Durations as people write them in flags and profiles: "10ms", "1.5s", "250us", "2m".
//
// Parsing is strict (a unit is required, no trailing junk) because a typo such as "10" meaning
// seconds or milliseconds silently changes what a load test measures. Pure functions.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace levee::load {

using Nanos = std::chrono::nanoseconds;

// nullopt when the text is not a non-negative number followed by ns, us, ms, s or m.
std::optional<Nanos> parse_duration(std::string_view text);

// The shortest exact spelling: 10ms, 2s, 1500us, 0s. Round-trips through parse_duration.
std::string format_duration(Nanos d);

// Seconds as a double, for rates and reports.
inline double to_seconds(Nanos d) { return std::chrono::duration<double>(d).count(); }

}  // namespace levee::load
