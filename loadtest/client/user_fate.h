#pragma once
// What an attempt's outcome means for its user: served in time (goodput), served late, retried,
// or failed for good. Pure, so the goodput-across-retries rule is tested without sockets.
//
// A user is good when any attempt gets a 2xx by arrival + deadline, late when the 2xx comes
// after. A failed attempt is retried by the retry policy, but only if the retry would start
// before the user's deadline: a user who has already given up does not press refresh again.

#include <cstdint>
#include <optional>
#include <random>

#include "client/retry_policy.h"
#include "stats/record.h"

namespace levee::load {

struct UserFate {
  UserOutcome outcome = UserOutcome::pending;  // pending: a retry is scheduled
  std::optional<std::int64_t> retry_at_ns;     // when the retry is due
};

inline UserFate settle_user(const UserRecord& user, const AttemptRecord& attempt, Outcome outcome,
                            std::optional<Nanos> retry_after, std::int64_t now_ns, Nanos user_deadline,
                            const RetryPolicy& retry, std::mt19937_64& rng) {
  const std::int64_t deadline_ns = user.arrival_ns + user_deadline.count();
  if (outcome == Outcome::ok) return {now_ns <= deadline_ns ? UserOutcome::good : UserOutcome::late, {}};
  const auto delay = next_retry_delay(retry, outcome, attempt.attempt, retry_after, rng);
  if (delay && now_ns + delay->count() < deadline_ns) return {UserOutcome::pending, now_ns + delay->count()};
  return {UserOutcome::failed, {}};
}

}  // namespace levee::load
