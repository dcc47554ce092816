#pragma once
// A set of address ranges (CIDRs) and the question asked of it per request: is this address
// one of ours? Used for `trusted_proxies` and `priority_trust.peers`, and for finding the
// client behind trusted proxies (client_address.h).
//
// A range is written "10.0.0.0/8", "fd00::/8", or a single address ("127.0.0.1", "::1").
// A range with bits set past its prefix ("10.1.2.3/8") is refused rather than masked: the
// writer meant either the network or the host, and guessing wrong widens trust. IPv4-mapped
// IPv6 ranges ("::ffff:10.0.0.0/104") are stored as the IPv4 range they cover, as addresses are
// (ip_address.h). Matching is a scan: the lists are a handful of entries. Immutable after
// construction, so it is shared by all workers without locks.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "proxy/policy/ip_address.h"

namespace levee::policy {

struct RangeParse;

class AddressRange {
 public:
  // The range holding exactly `address`.
  explicit AddressRange(const IpAddress& address);

  bool contains(const IpAddress& address) const;
  const IpAddress& network() const { return network_; }
  unsigned prefix_length() const { return prefix_length_; }
  // "10.0.0.0/8"; a single address without "/32" or "/128". Parses back to the same range.
  std::string to_string() const;

  friend bool operator==(const AddressRange&, const AddressRange&) = default;

 private:
  friend RangeParse parse_address_range(std::string_view text);
  AddressRange(const IpAddress& network, unsigned prefix_length) : network_(network), prefix_length_(prefix_length) {}

  IpAddress network_;
  unsigned prefix_length_;
};

struct RangeParse {
  std::optional<AddressRange> range;
  std::string problem;  // why `text` is not a range, when `range` is empty; fit for an error message
};

RangeParse parse_address_range(std::string_view text);

class AddressSet {
 public:
  AddressSet() = default;  // empty: contains nothing
  explicit AddressSet(std::vector<AddressRange> ranges) : ranges_(std::move(ranges)) {}

  bool contains(const IpAddress& address) const;
  // A textual address ("10.0.0.1", "::1"): false when it is not one.
  bool contains(std::string_view address) const;

  bool empty() const { return ranges_.empty(); }
  const std::vector<AddressRange>& ranges() const { return ranges_; }
  // Each range's to_string(), in order: the configuration text of the set.
  std::vector<std::string> to_strings() const;

  friend bool operator==(const AddressSet&, const AddressSet&) = default;

 private:
  std::vector<AddressRange> ranges_;
};

}  // namespace levee::policy
