#include "proxy/policy/ip_address.h"

#include <algorithm>

namespace levee::policy {
namespace {

using V4Bytes = std::array<std::uint8_t, 4>;
using V6Bytes = std::array<std::uint8_t, 16>;

constexpr std::array<std::uint8_t, 12> mapped_prefix{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

std::optional<V4Bytes> parse_v4(std::string_view text) {
  V4Bytes out{};
  std::size_t part = 0;
  while (true) {
    const std::size_t dot = text.find('.');
    const std::string_view digits = text.substr(0, dot);
    if (digits.empty() || digits.size() > 3 || part == out.size()) return std::nullopt;
    if (digits.size() > 1 && digits.front() == '0') return std::nullopt;  // octal to some parsers
    unsigned value = 0;
    for (const char c : digits) {
      if (c < '0' || c > '9') return std::nullopt;
      value = value * 10 + static_cast<unsigned>(c - '0');
    }
    if (value > 255) return std::nullopt;
    out[part++] = static_cast<std::uint8_t>(value);
    if (dot == std::string_view::npos) break;
    text.remove_prefix(dot + 1);
  }
  if (part != out.size()) return std::nullopt;
  return out;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The 16-bit groups of one side of "::" (or of a whole address without it). An IPv4 tail
// ("::ffff:1.2.3.4") is allowed only where the address ends, and counts as two groups.
struct Groups {
  std::array<std::uint16_t, 8> values{};
  std::size_t count = 0;
};

bool parse_groups(std::string_view text, bool ends_address, Groups& out) {
  if (text.empty()) return true;
  while (true) {
    const std::size_t colon = text.find(':');
    const std::string_view group = text.substr(0, colon);
    if (colon == std::string_view::npos && ends_address && group.find('.') != std::string_view::npos) {
      const auto v4 = parse_v4(group);
      if (!v4 || out.count + 2 > out.values.size()) return false;
      out.values[out.count++] = static_cast<std::uint16_t>((*v4)[0] << 8 | (*v4)[1]);
      out.values[out.count++] = static_cast<std::uint16_t>((*v4)[2] << 8 | (*v4)[3]);
      return true;
    }
    if (group.empty() || group.size() > 4 || out.count == out.values.size()) return false;
    unsigned value = 0;
    for (const char c : group) {
      const int digit = hex_value(c);
      if (digit < 0) return false;
      value = value * 16 + static_cast<unsigned>(digit);
    }
    out.values[out.count++] = static_cast<std::uint16_t>(value);
    if (colon == std::string_view::npos) return true;
    text.remove_prefix(colon + 1);
  }
}

std::optional<V6Bytes> parse_v6(std::string_view text) {
  Groups head;
  Groups tail;
  const std::size_t gap = text.find("::");
  if (gap == std::string_view::npos) {
    if (!parse_groups(text, true, head) || head.count != 8) return std::nullopt;
  } else {
    const std::string_view before = text.substr(0, gap);
    const std::string_view after = text.substr(gap + 2);
    if (after.find("::") != std::string_view::npos) return std::nullopt;
    if (!parse_groups(before, false, head) || !parse_groups(after, true, tail)) return std::nullopt;
    // "::" stands for at least one zero group (RFC 4291 2.2).
    if (head.count + tail.count > 7) return std::nullopt;
  }
  std::array<std::uint16_t, 8> groups{};
  std::copy_n(head.values.begin(), head.count, groups.begin());
  std::copy_n(tail.values.begin(), tail.count, groups.end() - static_cast<std::ptrdiff_t>(tail.count));
  V6Bytes out{};
  for (std::size_t i = 0; i < groups.size(); ++i) {
    out[2 * i] = static_cast<std::uint8_t>(groups[i] >> 8);
    out[2 * i + 1] = static_cast<std::uint8_t>(groups[i] & 0xff);
  }
  return out;
}

bool is_port(std::string_view digits) {
  return !digits.empty() && digits.size() <= 5 &&
         std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

IpAddress IpAddress::v4(const std::array<std::uint8_t, 4>& bytes) {
  IpAddress address;
  address.family_ = Family::v4;
  std::copy(bytes.begin(), bytes.end(), address.bytes_.begin());
  return address;
}

IpAddress IpAddress::v6(const std::array<std::uint8_t, 16>& bytes) {
  if (std::equal(mapped_prefix.begin(), mapped_prefix.end(), bytes.begin()))
    return v4({bytes[12], bytes[13], bytes[14], bytes[15]});
  IpAddress address;
  address.family_ = Family::v6;
  address.bytes_ = bytes;
  return address;
}

std::optional<IpAddress> IpAddress::parse(std::string_view text) {
  if (text.find(':') == std::string_view::npos) {
    const auto bytes = parse_v4(text);
    return bytes ? std::optional(v4(*bytes)) : std::nullopt;
  }
  if (const std::size_t zone = text.find('%'); zone != std::string_view::npos) {
    if (zone + 1 == text.size()) return std::nullopt;
    text = text.substr(0, zone);
  }
  const auto bytes = parse_v6(text);
  return bytes ? std::optional(v6(*bytes)) : std::nullopt;
}

std::string IpAddress::to_string() const {
  if (family_ == Family::v4) {
    // Digit by digit: every connection formats its peer once (for X-Forwarded-For), and the
    // longest quad, 15 characters, fits the string's own buffer, so nothing is allocated.
    std::string quad;
    for (std::size_t i = 0; i < 4; ++i) {
      if (i > 0) quad += '.';
      const unsigned part = bytes_[i];
      if (part >= 100) quad += static_cast<char>('0' + part / 100);
      if (part >= 10) quad += static_cast<char>('0' + part / 10 % 10);
      quad += static_cast<char>('0' + part % 10);
    }
    return quad;
  }
  std::string out;
  std::array<unsigned, 8> groups{};
  for (std::size_t i = 0; i < groups.size(); ++i) groups[i] = static_cast<unsigned>(bytes_[2 * i] << 8 | bytes_[2 * i + 1]);
  // RFC 5952 4.2: the longest run of two or more zero groups becomes "::", the first on a tie.
  std::size_t best_start = groups.size();
  std::size_t best_length = 1;
  for (std::size_t i = 0; i < groups.size();) {
    if (groups[i] != 0) {
      ++i;
      continue;
    }
    std::size_t end = i;
    while (end < groups.size() && groups[end] == 0) ++end;
    if (end - i > best_length) {
      best_start = i;
      best_length = end - i;
    }
    i = end;
  }
  constexpr std::string_view digits = "0123456789abcdef";
  for (std::size_t i = 0; i < groups.size(); ++i) {
    if (i == best_start) {
      out += "::";
      i += best_length - 1;
      continue;
    }
    if (i > 0 && !out.ends_with(':')) out += ':';
    bool started = false;
    for (int shift = 12; shift >= 0; shift -= 4) {
      const unsigned digit = (groups[i] >> shift) & 0xf;
      if (digit == 0 && !started && shift > 0) continue;
      started = true;
      out += digits[digit];
    }
  }
  return out;
}

std::optional<IpAddress> parse_host_port(std::string_view text) {
  if (text.starts_with('[')) {
    const std::size_t close = text.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    const std::string_view rest = text.substr(close + 1);
    if (!rest.empty() && !is_port(rest.substr(rest.starts_with(':') ? 1 : rest.size()))) return std::nullopt;
    const std::string_view inside = text.substr(1, close - 1);
    if (inside.find(':') == std::string_view::npos) return std::nullopt;  // brackets are for IPv6 only
    return IpAddress::parse(inside);
  }
  // One colon: IPv4 with a port. More: a bare IPv6 address (which cannot carry a port).
  const std::size_t colon = text.find(':');
  if (colon != std::string_view::npos && text.find(':', colon + 1) == std::string_view::npos) {
    if (!is_port(text.substr(colon + 1))) return std::nullopt;
    text = text.substr(0, colon);
  }
  return IpAddress::parse(text);
}

}  // namespace levee::policy
