#pragma once
// Who the client is when levee sits behind other proxies: the peer of the connection, unless
// that peer is a trusted proxy, in which case X-Forwarded-For says who it was talking to.
//
// Each proxy appends the address it received the request from, so the chain reads left to right
// from the original client to the last proxy, and only the entries written by trusted proxies
// can be believed. Walking from the right (the peer's own entry) past every trusted proxy, the
// first address that is not one is the client: everything to its left is whatever that client
// chose to send. This is the "rightmost untrusted address" rule (nginx real_ip_recursive,
// Envoy's xff_num_trusted_hops counted by address instead of by number). Pure; used for the
// per-client flow key of fairness and for logs.

#include <string_view>

#include "proxy/policy/address_set.h"
#include "proxy/policy/ip_address.h"

namespace levee::policy {

// `forwarded_for` is the X-Forwarded-For value, several header fields joined with ", " in the
// order they came. An entry that is not an address (an obfuscated "unknown", garbage) ends the
// walk at the trusted proxy that wrote it: nothing left of it can be attributed. When every
// address in the chain is trusted, the leftmost one is the client.
IpAddress client_address(const IpAddress& peer, std::string_view forwarded_for, const AddressSet& trusted_proxies);

}  // namespace levee::policy
