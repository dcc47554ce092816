#include "proxy/http/client_trust.h"

namespace levee::http {
namespace {

// Looks at every byte whatever the first difference, so the time taken does not tell a guesser
// how much of a guess was right (only the length can leak).
bool same_secret(std::string_view given, std::string_view secret) {
  if (given.size() != secret.size()) return false;
  unsigned char difference = 0;
  for (std::size_t i = 0; i < secret.size(); ++i)
    difference |= static_cast<unsigned char>(given[i] ^ secret[i]);
  return difference == 0;
}

bool carries_secret(const RequestHeader& request, const config::PriorityTrustConfig& trust) {
  if (trust.secret_header.empty() || trust.secret_value.empty()) return false;
  const auto field = request.find(trust.secret_header);
  return field != request.end() && same_secret(field->value(), trust.secret_value);
}

}  // namespace

ClientTrust apply_client_trust(RequestHeader& request, const std::optional<policy::IpAddress>& peer,
                               const config::Config& config, const config::RouteConfig& route) {
  const config::PriorityTrustConfig& trust = config.priority_trust;
  ClientTrust verdict;
  verdict.trusted_proxy = peer && config.trusted_proxies.contains(*peer);
  verdict.may_raise_priority = (peer && trust.peers.contains(*peer)) || carries_secret(request, trust);
  if (!trust.secret_header.empty()) request.erase(trust.secret_header);

  const std::string& priority_header = config.request_headers.priority;
  if (verdict.may_raise_priority || priority_header.empty()) return verdict;
  const auto field = request.find(priority_header);
  if (field == request.end()) return verdict;
  // Unknown words included: levee ignores them, but a service might read "Critical" as critical.
  const std::optional<policy::Priority> claimed = policy::parse_priority(field->value());
  const policy::Priority applied =
      claimed ? policy::claimable_priority(route.priority, *claimed, false) : route.priority;
  request.set(priority_header, policy::name(applied));  // also folds repeated fields into one
  return verdict;
}

}  // namespace levee::http
