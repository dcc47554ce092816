#pragma once
// The YAML schema of whom levee believes: `trusted_proxies:` (peers whose forwarding headers are
// believed and extended), `priority_trust:` (who may raise a request's priority) and the admin
// listener's bearer token (`admin.token_file`).
//
// Internal to the loader.

#include <string_view>

#include "proxy/config/config.h"
#include "proxy/config/map_reader.h"
#include "proxy/config/read_context.h"

namespace levee::config::detail {

// A list of addresses and CIDRs ("10.0.0.0/8", "fd00::/8", "::1"); each bad item is reported at
// its own line and the set keeps its default.
void read_address_set(MapReader& r, std::string_view key, policy::AddressSet& out);
void read_priority_trust(MapReader& r, PriorityTrustConfig& trust);

// After reading: the secret file is read and the secret checked, and keys that only work
// together (a secret and the header that carries it) are checked.
void finalize_trust(Config& config, ReadContext& context);
// After reading: admin.token_file, when set, is read into admin.token and the token checked
// as a secret is (at least 16 visible bytes; a final newline is not part of it).
void finalize_admin_token(Config& config, ReadContext& context);

}  // namespace levee::config::detail
