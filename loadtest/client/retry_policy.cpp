#include "client/retry_policy.h"

#include <algorithm>

namespace levee::load {

bool is_retryable(Outcome outcome) {
  switch (outcome) {
    case Outcome::shed:
    case Outcome::http_5xx:
    case Outcome::timeout:
    case Outcome::connect_error:
    case Outcome::closed:
    case Outcome::protocol:
      return true;
    case Outcome::ok:
    case Outcome::http_4xx:
    case Outcome::http_other:
    case Outcome::not_sent:  // the generator's own limit, not a failure the user saw
      return false;
  }
  return false;
}

std::optional<Nanos> next_retry_delay(const RetryPolicy& policy, Outcome outcome, int attempt,
                                      std::optional<Nanos> retry_after, std::mt19937_64& rng) {
  if (policy.mode == RetryMode::none || !is_retryable(outcome)) return std::nullopt;
  if (attempt >= policy.max_retries) return std::nullopt;
  if (policy.mode == RetryMode::impatient) return Nanos{0};
  if (policy.mode == RetryMode::retry_after && retry_after) {
    return std::min(*retry_after, Nanos{std::chrono::minutes(1)});
  }
  double ceiling = static_cast<double>(policy.base.count());
  for (int i = 0; i < attempt && ceiling < static_cast<double>(policy.cap.count()); ++i) ceiling *= 2;
  ceiling = std::min(ceiling, static_cast<double>(policy.cap.count()));
  std::uniform_real_distribution<double> jitter(0.0, ceiling);
  return Nanos{static_cast<std::int64_t>(jitter(rng))};
}

}  // namespace levee::load
