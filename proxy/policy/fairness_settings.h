#pragma once
// Typed settings of fair admission within one group (YAML `admission.fairness`): which part of a
// request names its flow (tenant, API key, client address...), and named flows with a weight or
// a cap. Plain data with defaults, like settings.h; the http layer reads the key out of each
// request (http/flow_key.h), the policy shares the group's limit among the flows
// (admission_queue.h, fair order; flow_table.h, accounting).

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace levee::policy {

// Where one part of a flow key comes from.
enum class FlowKeyPart : std::uint8_t {
  header,          // a request header's value (`name`)
  client_address,  // the client's address (X-Forwarded-For only from trusted_proxies)
  query,           // a query parameter's value (`name`)
  cookie,          // a cookie's value (`name`)
  path_segment,    // the n-th segment of the normalised path (`segment`, 1-based)
};

inline constexpr std::array all_flow_key_parts{FlowKeyPart::header, FlowKeyPart::client_address,
                                               FlowKeyPart::query, FlowKeyPart::cookie,
                                               FlowKeyPart::path_segment};

constexpr std::string_view name(FlowKeyPart part) {
  switch (part) {
    case FlowKeyPart::header: return "header";
    case FlowKeyPart::client_address: return "client_address";
    case FlowKeyPart::query: return "query";
    case FlowKeyPart::cookie: return "cookie";
    case FlowKeyPart::path_segment: return "path_segment";
  }
  return "unknown";
}

constexpr std::optional<FlowKeyPart> parse_flow_key_part(std::string_view word) {
  for (const FlowKeyPart part : all_flow_key_parts) {
    if (name(part) == word) return part;
  }
  return std::nullopt;
}

struct FlowKeySource {
  FlowKeyPart part = FlowKeyPart::header;
  std::string name;            // header, query parameter or cookie name
  std::uint32_t segment = 0;   // path_segment: which one, from 1
  // Shown hashed in /state and logs (an Authorization header or a session cookie is a secret;
  // the flow only needs to be told apart, not read).
  bool hash = false;

  bool operator==(const FlowKeySource&) const = default;
};

// A flow known by its key value, with its own weight and/or cap and its own metric label.
struct NamedFlowSettings {
  std::string name;            // the metric label and /state name
  std::string key;             // the key value that names it (parts joined with '|')
  // Share of a contended group relative to other flows (1 each by default): a flow of weight
  // 4 is served as if it were four flows.
  std::uint32_t weight = 1;
  // At most this many requests of this flow in flight at once, contended or not; 0 = no cap.
  // Beyond it requests are shed at once (`flow_cap`). A cap idles capacity when the flow is
  // alone: use it only for a client that must never have more (a known batch job).
  std::uint32_t cap = 0;

  bool operator==(const NamedFlowSettings&) const = default;
};

struct FairnessSettings {
  // The parts of the flow key, joined in this order; empty: fairness off (one shared flow).
  std::vector<FlowKeySource> key;
  std::vector<NamedFlowSettings> flows;
  // How many of the heaviest flows /state lists per group.
  std::uint32_t top_flows = 10;
  // A key gets a share of its own once it has been seen before recently; until then its
  // requests share one flow with every other new key (`(new keys)`), so a client rotating keys
  // -- or a million users each seen once -- competes as one flow, not a million. `recent_keys`
  // sizes the memory of keys seen (two Bloom filters of 16 bits per key, 2 x 256 KiB at the
  // default): a key counts as seen if it came back within the last recent_keys..2 x recent_keys
  // distinct arrivals.
  std::uint32_t recent_keys = 131072;

  bool enabled() const { return !key.empty(); }
  bool operator==(const FairnessSettings&) const = default;
};

// The constraint the loader must report, or empty.
std::string_view validate(const FairnessSettings& settings);

}  // namespace levee::policy
