#pragma once
// "127.0.0.1:8080", "[::1]:0", "localhost:80" -> host and port. Pure; no name resolution here.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace levee::load {

struct HostPort {
  std::string host;  // without brackets
  std::uint16_t port = 0;
};

std::optional<HostPort> parse_host_port(std::string_view text);

}  // namespace levee::load
