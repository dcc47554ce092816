#include "proxy/policy/address_set.h"

#include <algorithm>
#include <array>

namespace levee::policy {
namespace {

// IPv4-mapped IPv6 addresses are ::ffff:0:0/96; an IPv4 range written in that form counts its
// prefix from there.
constexpr unsigned mapped_prefix_bits = 96;

// Joins the pieces of a message (appending, because GCC 12 reports a false -Wrestrict on chains
// of std::string operator+).
std::string message(std::initializer_list<std::string_view> pieces) {
  std::string out;
  for (const std::string_view piece : pieces) out.append(piece);
  return out;
}

bool same_prefix(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b, unsigned bits) {
  const std::size_t whole = bits / 8;
  if (!std::equal(a.begin(), a.begin() + static_cast<std::ptrdiff_t>(whole), b.begin())) return false;
  const unsigned rest = bits % 8;
  if (rest == 0) return true;
  const auto mask = static_cast<std::uint8_t>(0xff << (8 - rest));
  return (a[whole] & mask) == (b[whole] & mask);
}

// `address` with every bit past `bits` cleared.
IpAddress masked(const IpAddress& address, unsigned bits) {
  std::array<std::uint8_t, 16> bytes{};
  const auto in = address.bytes();
  for (std::size_t i = 0; i < in.size(); ++i) {
    const unsigned first_bit = static_cast<unsigned>(i) * 8;
    const unsigned kept = bits <= first_bit ? 0 : std::min(8u, bits - first_bit);
    bytes[i] = kept == 0 ? 0 : static_cast<std::uint8_t>(in[i] & (0xff << (8 - kept)));
  }
  if (address.family() == IpAddress::Family::v4) return IpAddress::v4({bytes[0], bytes[1], bytes[2], bytes[3]});
  return IpAddress::v6(bytes);
}

}  // namespace

AddressRange::AddressRange(const IpAddress& address)
    : network_(address), prefix_length_(static_cast<unsigned>(address.bit_count())) {}

bool AddressRange::contains(const IpAddress& address) const {
  return address.family() == network_.family() && same_prefix(address.bytes(), network_.bytes(), prefix_length_);
}

std::string AddressRange::to_string() const {
  if (prefix_length_ == network_.bit_count()) return network_.to_string();
  return message({network_.to_string(), "/", std::to_string(prefix_length_)});
}

RangeParse parse_address_range(std::string_view text) {
  constexpr std::string_view form = "an address or a CIDR like 10.0.0.0/8, fd00::/8 or ::1";
  if (text.find('%') != std::string_view::npos)
    return {std::nullopt, message({"'", text, "' has a zone (%...): a zone names an interface, not hosts; write ", form})};
  const std::size_t slash = text.find('/');
  const std::string_view address_text = text.substr(0, slash);
  const auto address = IpAddress::parse(address_text);
  if (!address) return {std::nullopt, message({"expected ", form, ", got '", text, "'"})};
  if (slash == std::string_view::npos) return {AddressRange(*address), {}};

  const std::string_view digits = text.substr(slash + 1);
  const bool written_as_v6 = address_text.find(':') != std::string_view::npos;
  const unsigned written_bits = written_as_v6 ? 128 : 32;
  unsigned prefix = 0;
  const bool numeric = !digits.empty() && digits.size() <= 3 &&
                       std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; });
  if (numeric) for (const char c : digits) prefix = prefix * 10 + static_cast<unsigned>(c - '0');
  if (!numeric || prefix > written_bits)
    return {std::nullopt,
            message({"'", text, "': expected a prefix length from 0 to ", std::to_string(written_bits), " after '/'"})};
  if (written_as_v6 && address->family() == IpAddress::Family::v4) {
    // "::ffff:10.0.0.0/104" is 10.0.0.0/8; a shorter prefix would reach past the mapped block.
    if (prefix < mapped_prefix_bits)
      return {std::nullopt, message({"'", text, "': a range of IPv4-mapped addresses needs a prefix of at least 96"})};
    prefix -= mapped_prefix_bits;
  }
  const IpAddress network = masked(*address, prefix);
  if (network != *address) {
    const AddressRange meant(network, prefix);
    return {std::nullopt, message({"'", text, "' has bits set past its /", std::to_string(prefix),
                                   " prefix; write the network (", meant.to_string(),
                                   ") or the single address without a prefix"})};
  }
  return {AddressRange(network, prefix), {}};
}

bool AddressSet::contains(const IpAddress& address) const {
  return std::any_of(ranges_.begin(), ranges_.end(), [&](const AddressRange& range) { return range.contains(address); });
}

bool AddressSet::contains(std::string_view address) const {
  const auto parsed = IpAddress::parse(address);
  return parsed && contains(*parsed);
}

std::vector<std::string> AddressSet::to_strings() const {
  std::vector<std::string> out;
  out.reserve(ranges_.size());
  for (const AddressRange& range : ranges_) out.push_back(range.to_string());
  return out;
}

}  // namespace levee::policy
