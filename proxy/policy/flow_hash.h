#pragma once
// The FlowId of a flow key: a keyed 64-bit hash (SipHash-1-3). Keyed, because the key comes
// from the client: with a public hash a client could pick a key whose id equals another
// tenant's and share -- or spoil -- that tenant's flow. The key (seed) is chosen at random once
// per process and never shown. The reserved ids (no key, new keys) are never returned.

#include <array>
#include <cstdint>
#include <string_view>

#include "proxy/policy/ticket.h"

namespace levee::policy {

struct FlowHashKey {
  std::array<std::uint64_t, 2> words{};
};

FlowId flow_id(std::string_view key, const FlowHashKey& secret);

}  // namespace levee::policy
