#include "proxy/policy/client_address.h"

#include "proxy/policy/ascii.h"

namespace levee::policy {

IpAddress client_address(const IpAddress& peer, std::string_view forwarded_for, const AddressSet& trusted_proxies) {
  IpAddress current = peer;
  std::string_view rest = forwarded_for;
  while (trusted_proxies.contains(current) && !rest.empty()) {
    const std::size_t comma = rest.rfind(',');
    const std::string_view entry = trim_ows(comma == std::string_view::npos ? rest : rest.substr(comma + 1));
    rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(0, comma);
    if (entry.empty()) continue;  // "a, , b": an empty list element (RFC 9110 5.6.1)
    const auto address = parse_host_port(entry);
    if (!address) break;
    current = *address;
  }
  return current;
}

}  // namespace levee::policy
