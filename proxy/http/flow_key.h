#pragma once
// Which flow a request belongs to, for fair admission (policy/fairness_settings.h): the group's
// key parts read out of the request, joined with '|', hashed with the process's secret key.
//
// - header: the field's value (repeated fields joined with ","); query: the first parameter of
//   that name, form-decoded; cookie: the first cookie of that name in any Cookie field, quotes
//   removed; path_segment: the n-th segment of the normalised path (so "/a/./acme" and "/a/acme"
//   are one tenant); client_address: the address the trust step settled on (X-Forwarded-For
//   believed only from trusted_proxies, see resolve_client_address).
// - A missing part is an empty part; a request with every part missing has no key
//   (policy::no_flow_key) and shares one flow with all such requests.
// - The label /state shows is the key text, escaped and cut to 64 bytes; if any part is
//   `hash: true` (an Authorization header, a session cookie), "h:" and the flow id instead,
//   so a secret never reaches the admin endpoint or a log.
// Pure functions and an immutable rule: thread-safe, no I/O, no clock.

#include <boost/beast/http/fields.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "proxy/http/field_pool.h"
#include "proxy/policy/address_set.h"
#include "proxy/policy/fairness_settings.h"
#include "proxy/policy/flow_hash.h"
#include "proxy/policy/ip_address.h"
#include "proxy/policy/ticket.h"

namespace levee::http {

// How one group names flows: built once per configuration from its FairnessSettings and shared
// read-only by every request of the group's routes.
struct FlowKeyRule {
  std::vector<policy::FlowKeySource> parts;
  bool hashed = false;                // some part is `hash: true`: labels show the id only
  bool needs_client_address = false;  // some part is client_address
  // Key value -> 1-based index in FairnessSettings::flows (policy::Ticket::named_flow).
  std::unordered_map<std::string, std::uint16_t> named_flows;
  policy::FlowHashKey secret;         // the process's flow hash key
};

// Null while fairness is off for the group (no key parts): requests then skip flow keys.
std::shared_ptr<const FlowKeyRule> make_flow_key_rule(const policy::FairnessSettings& fairness,
                                                      const policy::FlowHashKey& secret);

// What the key is read from. `target` is the normalised origin-form target (path and query);
// `client_address` the settled client address as text ("" when unknown).
struct FlowKeyInputs {
  const Fields& fields;
  std::string_view target;
  std::string_view client_address;
};

// The key text, or none when every part is missing.
std::optional<std::string> flow_key_text(const std::vector<policy::FlowKeySource>& parts,
                                         const FlowKeyInputs& inputs);

// What a request carries into policy::Ticket (flow, named_flow, flow_label).
struct FlowKey {
  policy::FlowId flow = policy::no_flow_key;
  std::uint16_t named_flow = 0;
  std::string label;  // Ticket::flow_label points into it: keep it alive across admit()
};

FlowKey flow_key(const FlowKeyRule& rule, const FlowKeyInputs& inputs);

// How /state shows a key: printable ASCII as is, every other byte (and '\') as \xNN, at most
// 64 bytes (cut with "..."); or, when `hashed`, "h:" and the 16 hex digits of `flow`.
std::string flow_label(std::string_view key, bool hashed, policy::FlowId flow);

// The client as the trust step sees it: the peer, or, when the peer is a trusted proxy, the
// rightmost untrusted address of X-Forwarded-For (policy/client_address.h). "" when the peer
// is unknown.
std::string resolve_client_address(const Fields& fields,
                                   const std::optional<policy::IpAddress>& peer, bool trusted_proxy,
                                   const policy::AddressSet& trusted_proxies);

}  // namespace levee::http
