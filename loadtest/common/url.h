#pragma once
// http://host[:port][/path][?query] -> the parts a client needs. Pure. Only plain http: the
// generator measures the target, not TLS.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace levee::load {

struct Url {
  std::string host;         // without brackets
  std::uint16_t port = 80;
  std::string target = "/";  // origin-form: path and query
  std::string host_header;   // "host:port" as sent in Host
};

std::optional<Url> parse_url(std::string_view text);

}  // namespace levee::load
