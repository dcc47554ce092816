#pragma once
// An IPv4 or IPv6 address as bytes, parsed from and written as text without the socket library
// (policy code knows no sockets). Used to decide whom levee trusts: the peer of a connection,
// the hops of an X-Forwarded-For chain, the CIDRs of the config (address_set.h).
//
// Parsing is strict where leniency would let two readers disagree about an address: IPv4 is
// exactly four decimal parts without leading zeros ("010.0.0.1" is octal to inet_aton), IPv6 is
// RFC 4291 text. An IPv4-mapped IPv6 address (::ffff:10.0.0.1, what a dual-stack listener
// reports for an IPv4 client) is the IPv4 address: trust must not depend on the listener's
// socket family. A zone ("fe80::1%eth0") names an interface, not a host, and is dropped.
// Immutable value type; thread-safe to share.

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace levee::policy {

class IpAddress {
 public:
  enum class Family : std::uint8_t { v4, v6 };

  static IpAddress v4(const std::array<std::uint8_t, 4>& bytes);
  // An IPv4-mapped address comes back as IPv4.
  static IpAddress v6(const std::array<std::uint8_t, 16>& bytes);
  // "10.0.0.1", "2001:db8::1", "::ffff:10.0.0.1", "fe80::1%eth0"; nullopt for anything else
  // (no brackets, no port: see parse_host_port for those).
  static std::optional<IpAddress> parse(std::string_view text);

  Family family() const { return family_; }
  // 4 bytes for IPv4, 16 for IPv6, network order.
  std::span<const std::uint8_t> bytes() const { return {bytes_.data(), family_ == Family::v4 ? 4u : 16u}; }
  std::size_t bit_count() const { return bytes().size() * 8; }

  // Dotted quad, or RFC 5952 (lower case, longest zero run as "::").
  std::string to_string() const;

  friend bool operator==(const IpAddress&, const IpAddress&) = default;

 private:
  IpAddress() = default;
  Family family_ = Family::v4;
  std::array<std::uint8_t, 16> bytes_{};  // IPv4 uses the first 4; the rest stay zero
};

// An address as it may appear in a forwarding header: "10.0.0.1", "10.0.0.1:8080", "::1",
// "[::1]" or "[::1]:8080". The port, if any, is dropped.
std::optional<IpAddress> parse_host_port(std::string_view text);

}  // namespace levee::policy
