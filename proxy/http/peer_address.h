#pragma once
// The address of a connection's peer as policy code sees it, read from the endpoint's bytes.
// No text round trip: formatting an address with the socket library and parsing it back cost
// more than the rest of a new connection's set-up (the listener counts connections per client
// by it, the session decides trust by it and writes it once as X-Forwarded-For's text).

#include <boost/asio/ip/tcp.hpp>

#include "proxy/policy/ip_address.h"

namespace levee::http {

inline policy::IpAddress peer_address(const boost::asio::ip::tcp::endpoint& endpoint) {
  const auto address = endpoint.address();
  if (address.is_v4()) return policy::IpAddress::v4(address.to_v4().to_bytes());
  return policy::IpAddress::v6(address.to_v6().to_bytes());  // an IPv4-mapped one comes back IPv4
}

}  // namespace levee::http
