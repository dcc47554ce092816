#include "common/url.h"

#include "common/host_port.h"

namespace levee::load {

std::optional<Url> parse_url(std::string_view text) {
  constexpr std::string_view plain = "http://";
  constexpr std::string_view secure = "https://";
  Url url;
  if (text.starts_with(secure)) {
    url.tls = true;
    url.port = 443;
    text.remove_prefix(secure.size());
  } else if (text.starts_with(plain)) {
    text.remove_prefix(plain.size());
  } else {
    return std::nullopt;
  }
  std::size_t slash = text.find_first_of("/?");
  std::string_view authority = text.substr(0, slash);
  if (slash != std::string_view::npos) {
    const std::string_view target = text.substr(slash);
    url.target.assign(target.front() == '?' ? "/" : "");  // "?q" alone means the root
    url.target.append(target.data(), target.size());
  }
  if (authority.empty()) return std::nullopt;
  std::size_t bracket = authority.front() == '[' ? authority.find(']') : 0;
  if (bracket == std::string_view::npos) return std::nullopt;
  if (authority.find(':', bracket) != std::string_view::npos) {
    auto hp = parse_host_port(authority);
    if (!hp || hp->host.empty()) return std::nullopt;
    url.host = hp->host;
    url.port = hp->port;
  } else {
    url.host = std::string(authority.front() == '[' ? authority.substr(1, bracket - 1) : authority);
  }
  url.host_header = std::string(authority);
  return url;
}

}  // namespace levee::load
