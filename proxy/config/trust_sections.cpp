#include "proxy/config/trust_sections.h"

#include <algorithm>
#include <array>
#include <vector>

#include <fmt/format.h>

#include "proxy/config/relative_file.h"
#include "proxy/config/sections.h"
#include "proxy/policy/ascii.h"

namespace levee::config::detail {
namespace {

constexpr std::uint64_t max_secret_file_bytes = 4 * KiB;
// 16 random bytes written as hex or base64 are beyond guessing; a shorter secret is a password.
constexpr std::size_t min_secret_bytes = 16;

std::optional<std::string> check_range(std::string_view text) {
  policy::RangeParse parsed = policy::parse_address_range(text);
  if (parsed.range) return std::nullopt;
  return std::move(parsed.problem);
}

// Editors and `echo` end a file with a newline that is not part of the secret.
std::string without_final_newline(std::string text) {
  if (text.ends_with('\n')) text.pop_back();
  if (text.ends_with('\r')) text.pop_back();
  return text;
}

// Why `secret` cannot work, or nullopt. It travels as a header value, which HTTP parsers trim of
// spaces and which cannot hold control characters.
std::optional<std::string> secret_problem(std::string_view secret) {
  if (secret.size() < min_secret_bytes)
    return fmt::format("the secret is {} bytes; use at least {} (e.g. `openssl rand -hex 16`) so it cannot be guessed",
                       secret.size(), min_secret_bytes);
  const bool visible = std::all_of(secret.begin(), secret.end(), [](char c) { return c > ' ' && c < '\x7f'; });
  if (!visible) return "the secret must be visible ASCII without spaces: it travels in a header value";
  return std::nullopt;
}

}  // namespace

void read_address_set(MapReader& r, std::string_view key, policy::AddressSet& out) {
  std::vector<std::string> texts = out.to_strings();
  r.string_list(key, texts, "addresses or CIDRs like 10.0.0.0/8, fd00::/8 or ::1", check_range);
  std::vector<policy::AddressRange> ranges;
  for (const std::string& text : texts) ranges.push_back(*policy::parse_address_range(text).range);
  out = policy::AddressSet(std::move(ranges));
}

void read_priority_trust(MapReader& r, PriorityTrustConfig& trust) {
  read_address_set(r, "peers", trust.peers);
  r.string("secret_header", trust.secret_header, check_header_name);
  r.env_secret("secret", trust.secret, trust.secret_value);
  r.string("secret_file", trust.secret_file);
}

void finalize_trust(Config& config, ReadContext& context) {
  if (context.has_errors_under("priority_trust")) return;
  PriorityTrustConfig& trust = config.priority_trust;
  const bool from_env = !trust.secret.empty();
  const bool from_file = !trust.secret_file.empty();
  if (from_env && from_file) {
    context.error_at("priority_trust.secret_file", "set either secret (from the environment) or secret_file, not both");
    return;
  }
  if (trust.secret_header.empty()) {
    if (from_env || from_file)
      context.error_at("priority_trust.secret_header", "missing: name the header that carries the secret");
    return;
  }
  if (!from_env && !from_file) {
    context.error_at("priority_trust.secret_header",
                     "needs the secret it carries: set secret (a ${VAR} reference) or secret_file");
    return;
  }
  const RequestHeadersConfig& names = config.request_headers;
  const std::array<std::string_view, 4> read_headers{names.retry, names.priority, names.deadline, names.idempotency_key};
  if (std::any_of(read_headers.begin(), read_headers.end(),
                  [&](std::string_view name) { return ascii_iequals(name, trust.secret_header); })) {
    context.error_at("priority_trust.secret_header",
                     fmt::format("'{}' is also one of request_headers; levee strips the secret header before "
                                 "forwarding, so it must be a header of its own",
                                 trust.secret_header));
    return;
  }
  const std::string key = from_file ? "priority_trust.secret_file" : "priority_trust.secret";
  if (from_file) {
    const auto text = read_relative_file(config.source, trust.secret_file, max_secret_file_bytes,
                                         "a secret file holds one short line", key, context);
    if (!text) return;
    trust.secret_value = without_final_newline(*text);
  }
  if (auto problem = secret_problem(trust.secret_value)) context.error_at(key, std::move(*problem));
}

void finalize_admin_token(Config& config, ReadContext& context) {
  AdminConfig& admin = config.admin;
  if (admin.token_file.empty() || context.has_errors_under("admin")) return;
  const auto text = read_relative_file(config.source, admin.token_file, max_secret_file_bytes,
                                       "a token file holds one short line", "admin.token_file", context);
  if (!text) return;
  admin.token = without_final_newline(*text);
  if (auto problem = secret_problem(admin.token)) context.error_at("admin.token_file", std::move(*problem));
}

}  // namespace levee::config::detail
