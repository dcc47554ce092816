#include "proxy/policy/client_address.h"

namespace levee::policy {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

IpAddress client_address(const IpAddress& peer, std::string_view forwarded_for, const AddressSet& trusted_proxies) {
  IpAddress current = peer;
  std::string_view rest = forwarded_for;
  while (trusted_proxies.contains(current) && !rest.empty()) {
    const std::size_t comma = rest.rfind(',');
    const std::string_view entry = trim(comma == std::string_view::npos ? rest : rest.substr(comma + 1));
    rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(0, comma);
    if (entry.empty()) continue;  // "a, , b": an empty list element (RFC 9110 5.6.1)
    const auto address = parse_host_port(entry);
    if (!address) break;
    current = *address;
  }
  return current;
}

}  // namespace levee::policy
