#include "proxy/policy/retry_rules.h"

#include <algorithm>

namespace levee::policy {

std::optional<RetryOn> parse_retry_on(std::string_view word) {
  for (const RetryOn kind : all_retry_on)
    if (name(kind) == word) return kind;
  return std::nullopt;
}

bool RetrySettings::retries_on(RetryOn kind) const {
  return std::find(retry_on.begin(), retry_on.end(), kind) != retry_on.end();
}

bool RetrySettings::retries_status(unsigned status) const {
  return retries_on(RetryOn::status) && std::find(statuses.begin(), statuses.end(), status) != statuses.end();
}

bool is_idempotent_method(std::string_view method) {
  static constexpr std::array<std::string_view, 6> idempotent{"GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"};
  return std::find(idempotent.begin(), idempotent.end(), method) != idempotent.end();
}

std::optional<RetryOutcome> retry_refusal(const RetrySettings& settings, const Replay& replay,
                                          std::uint32_t attempts_made) {
  if (!replay.safe) return RetryOutcome::not_retryable;
  if (!replay.replayable) return RetryOutcome::body_too_large;
  if (attempts_made >= settings.attempts) return RetryOutcome::exhausted;
  return std::nullopt;
}

Duration backoff_ceiling(const RetrySettings& settings, std::uint32_t retry_number) {
  Duration ceiling = settings.backoff_base;
  for (std::uint32_t i = 1; i < retry_number && ceiling < settings.backoff_max; ++i) ceiling *= 2;
  return std::min(ceiling, settings.backoff_max);
}

}  // namespace levee::policy
