#pragma once
// How simulated callers retry. Pure: the caller passes the outcome, the attempt count and its RNG.
//
//   none        never
//   impatient   at once, on a timeout, an error or a shed (a user hammering refresh)
//   backoff     exponential backoff with full jitter: uniform(0, min(cap, base * 2^(n-1)))
//   retry-after the target's Retry-After when it sends one, backoff otherwise

#include <cstdint>
#include <optional>
#include <random>
#include <string>

#include "common/duration.h"
#include "stats/record.h"

namespace levee::load {

enum class RetryMode { none, impatient, backoff, retry_after };

struct RetryPolicy {
  RetryMode mode = RetryMode::none;
  int max_retries = 2;
  Nanos base{std::chrono::milliseconds(100)};
  Nanos cap{std::chrono::seconds(5)};
  std::string header = "Retry-Attempt";  // added to retries as "header: n"
};

bool is_retryable(Outcome outcome);

// Delay before the next attempt after attempt number `attempt` (0 = first try) ended with
// `outcome`; nullopt when the caller does not retry.
std::optional<Nanos> next_retry_delay(const RetryPolicy& policy, Outcome outcome, int attempt,
                                      std::optional<Nanos> retry_after, std::mt19937_64& rng);

}  // namespace levee::load
