#pragma once
// Durations as people write them in flags and profiles: "10ms", "1.5s", "250us", "2m", "1h".
//
// Exactly levee's duration grammar (proxy/config/units.h, linked as levee_units), so a duration
// that is valid in levee.yaml is valid in a load profile and means the same. Parsing is strict (a
// unit is required, except for a bare "0"; no sign, exponent or trailing junk; no fraction of a
// nanosecond) because a typo such as "10" meaning seconds or milliseconds silently changes what a
// load test measures. Pure functions.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace levee::load {

using Nanos = std::chrono::nanoseconds;

// nullopt unless the text is "0" or a non-negative decimal followed by ns, us (or µs), ms, s, m
// or h, and the value is a whole number of nanoseconds that fits in Nanos.
std::optional<Nanos> parse_duration(std::string_view text);

// The shortest exact spelling, as levee writes it: 10ms, 2s, 1.5ms, 1h, 0s. Round-trips through
// parse_duration.
std::string format_duration(Nanos d);

// Seconds as a double, for rates and reports.
inline double to_seconds(Nanos d) { return std::chrono::duration<double>(d).count(); }

}  // namespace levee::load
