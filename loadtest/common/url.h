#pragma once
// http(s)://host[:port][/path][?query] -> the parts a client needs. Pure. https makes the
// connections TLS (client/target_tls.h), so a TLS-terminating proxy can be measured as
// clients see it.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace levee::load {

struct Url {
  std::string host;         // without brackets
  std::uint16_t port = 80;   // 443 for https
  bool tls = false;          // https
  std::string target = "/";  // origin-form: path and query
  std::string host_header;   // "host:port" as sent in Host
};

std::optional<Url> parse_url(std::string_view text);

}  // namespace levee::load
