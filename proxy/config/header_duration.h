#pragma once
// A duration sent by a caller in a request header (the deadline header, `levee-timeout`).
//
// Same spelling as the config ("1500ms", "2s", "1.5s"), and a bare integer means milliseconds:
// callers compute remaining time in ms, as Envoy's x-envoy-expected-rq-timeout-ms does. Any
// other value is ignored by the caller of this function (a bad header must not fail a request).
//
// A value above max_header_duration is max_header_duration: deadlines are computed as
// `arrival + duration` in signed nanoseconds, and "9999999999999s" must not wrap around into the
// past (an instant shed) or into undefined behaviour. (A number of more than 30 digits is not
// read at all: it is ignored like any other garbage.)

#include <optional>
#include <string_view>

#include "proxy/config/config.h"

namespace levee::config {

// The longest duration a header can ask for: the longest timeout a config may set (every header
// duration is capped by a configured one anyway), and far enough below the clock's range that
// `now + d` cannot overflow.
inline constexpr Duration max_header_duration = std::chrono::hours(24);

std::optional<Duration> parse_header_duration(std::string_view text);

}  // namespace levee::config
