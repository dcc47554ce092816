#include "proxy/http/flow_key.h"

#include "proxy/policy/client_address.h"

#include <fmt/format.h>

namespace levee::http {
namespace {

using policy::FlowKeyPart;

constexpr std::size_t max_label_bytes = 64;
constexpr std::string_view no_key_label = "(no key)";

std::string_view trim_whitespace(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

std::string header_value(const Fields& fields, std::string_view name) {
  std::string value;
  auto [field, end] = fields.equal_range(name);
  for (bool first = true; field != end; ++field, first = false) {
    if (!first) value += ',';
    value.append(field->value());
  }
  return value;
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// application/x-www-form-urlencoded, as browsers and most frameworks read a query: '+' is a
// space and %XX a byte. A malformed escape ("%zz", a trailing "%4") is kept as written, the
// way those frameworks that do not refuse it read it.
std::string form_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '+') {
      out += ' ';
    } else if (c == '%' && i + 2 < text.size() && hex_digit(text[i + 1]) >= 0 && hex_digit(text[i + 2]) >= 0) {
      out += static_cast<char>(hex_digit(text[i + 1]) * 16 + hex_digit(text[i + 2]));
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

std::string query_value(std::string_view target, std::string_view name) {
  const auto question = target.find('?');
  if (question == std::string_view::npos) return {};
  std::string_view query = target.substr(question + 1);
  query = query.substr(0, query.find('#'));
  while (!query.empty()) {
    const auto amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    const auto equals = pair.find('=');
    if (form_decode(pair.substr(0, equals)) != name) continue;
    return equals == std::string_view::npos ? std::string{} : form_decode(pair.substr(equals + 1));
  }
  return {};
}

// RFC 6265 5.4: "name=value" pairs separated by "; " in one or more Cookie fields. The first
// cookie of that name wins (the browser sends the most specific path first).
std::string cookie_value(const Fields& fields, std::string_view name) {
  auto [field, end] = fields.equal_range(boost::beast::http::field::cookie);
  for (; field != end; ++field) {
    std::string_view rest = field->value();
    while (!rest.empty()) {
      const auto semicolon = rest.find(';');
      const std::string_view pair = trim_whitespace(rest.substr(0, semicolon));
      rest = semicolon == std::string_view::npos ? std::string_view{} : rest.substr(semicolon + 1);
      const auto equals = pair.find('=');
      if (equals == std::string_view::npos || trim_whitespace(pair.substr(0, equals)) != name) continue;
      std::string_view value = trim_whitespace(pair.substr(equals + 1));
      if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
      return std::string(value);
    }
  }
  return {};
}

// Segments count from 1 after the leading '/': in "/v1/acme/orders" segment 2 is "acme". Empty
// segments ("//") count, as the service sees them.
std::string path_segment(std::string_view target, std::uint32_t segment) {
  std::string_view path = target.substr(0, target.find('?'));
  if (path.empty() || path.front() != '/' || segment == 0) return {};
  path.remove_prefix(1);
  for (std::uint32_t n = 1;; ++n) {
    const auto slash = path.find('/');
    if (n == segment) return std::string(path.substr(0, slash));
    if (slash == std::string_view::npos) return {};
    path.remove_prefix(slash + 1);
  }
}

std::string part_value(const policy::FlowKeySource& source, const FlowKeyInputs& inputs) {
  switch (source.part) {
    case FlowKeyPart::header: return header_value(inputs.fields, source.name);
    case FlowKeyPart::client_address: return std::string(inputs.client_address);
    case FlowKeyPart::query: return query_value(inputs.target, source.name);
    case FlowKeyPart::cookie: return cookie_value(inputs.fields, source.name);
    case FlowKeyPart::path_segment: return path_segment(inputs.target, source.segment);
  }
  return {};
}

}  // namespace

std::shared_ptr<const FlowKeyRule> make_flow_key_rule(const policy::FairnessSettings& fairness,
                                                      const policy::FlowHashKey& secret) {
  if (!fairness.enabled()) return nullptr;
  auto rule = std::make_shared<FlowKeyRule>();
  rule->parts = fairness.key;
  rule->secret = secret;
  for (const auto& part : fairness.key) {
    rule->hashed = rule->hashed || part.hash;
    rule->needs_client_address = rule->needs_client_address || part.part == FlowKeyPart::client_address;
  }
  // validate() bounds flows at 1000, well within the 16-bit index.
  for (std::size_t i = 0; i < fairness.flows.size(); ++i)
    rule->named_flows.emplace(fairness.flows[i].key, static_cast<std::uint16_t>(i + 1));
  return rule;
}

std::optional<std::string> flow_key_text(const std::vector<policy::FlowKeySource>& parts,
                                         const FlowKeyInputs& inputs) {
  std::string key;
  bool any = false;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) key += '|';
    const std::string value = part_value(parts[i], inputs);
    any = any || !value.empty();
    key += value;
  }
  if (!any) return std::nullopt;
  return key;
}

FlowKey flow_key(const FlowKeyRule& rule, const FlowKeyInputs& inputs) {
  FlowKey result;
  const std::optional<std::string> key = flow_key_text(rule.parts, inputs);
  if (!key) {
    result.label = no_key_label;
    return result;
  }
  result.flow = policy::flow_id(*key, rule.secret);
  if (const auto named = rule.named_flows.find(*key); named != rule.named_flows.end())
    result.named_flow = named->second;
  result.label = flow_label(*key, rule.hashed, result.flow);
  return result;
}

std::string flow_label(std::string_view key, bool hashed, policy::FlowId flow) {
  if (hashed) return fmt::format("h:{:016x}", flow);
  // Escapes stay whole: a label is cut between two of them, never inside one.
  auto escaped = [&](std::size_t limit) {
    std::string label;
    for (const char c : key) {
      const auto byte = static_cast<unsigned char>(c);
      const bool printable = byte >= 0x20 && byte < 0x7f && c != '\\';
      const std::string piece = printable ? std::string(1, c) : fmt::format("\\x{:02x}", byte);
      if (label.size() + piece.size() > limit) return std::make_pair(label, false);
      label += piece;
    }
    return std::make_pair(label, true);
  };
  if (auto [label, whole] = escaped(max_label_bytes); whole) return label;
  return escaped(max_label_bytes - 3).first + "...";
}

std::string resolve_client_address(const Fields& fields,
                                   const std::optional<policy::IpAddress>& peer, bool trusted_proxy,
                                   const policy::AddressSet& trusted_proxies) {
  if (!peer) return {};
  if (!trusted_proxy) return peer->to_string();
  auto [field, end] = fields.equal_range("X-Forwarded-For");
  std::string chain;
  for (bool first = true; field != end; ++field, first = false) {
    if (!first) chain += ", ";
    chain.append(field->value());
  }
  return policy::client_address(*peer, chain, trusted_proxies).to_string();
}

}  // namespace levee::http
