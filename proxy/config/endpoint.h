#pragma once
// "host:port" as written in YAML <-> Endpoint.

#include <optional>
#include <string>
#include <string_view>

#include "proxy/config/config.h"

namespace levee::config {

// Accepts "name:port", "1.2.3.4:port" and "[v6]:port" with a port in 0..65535; whether 0 is
// acceptable is the caller's call (it is for listening, not for connecting). The host is
// checked for characters only, never resolved: resolution belongs to the I/O layer. An IPv6
// host is stored without its brackets, the form resolvers and make_address() take.
std::optional<Endpoint> parse_endpoint(std::string_view text);

// The inverse of parse_endpoint: brackets go back around a host containing ':'.
std::string format_endpoint(const Endpoint& endpoint);

}  // namespace levee::config
