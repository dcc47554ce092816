#pragma once
// A duration sent by a caller in a request header (the deadline header, `levee-timeout`).
//
// Same spelling as the config ("1500ms", "2s", "1.5s"), and a bare integer means milliseconds:
// callers compute remaining time in ms, as Envoy's x-envoy-expected-rq-timeout-ms does. Any
// other value is ignored by the caller of this function (a bad header must not fail a request).

#include <optional>
#include <string_view>

#include "proxy/config/config.h"

namespace levee::config {

std::optional<Duration> parse_header_duration(std::string_view text);

}  // namespace levee::config
