#pragma once
// What one simulated run recorded: a series of 100 ms buckets and the limit at every tick.

#include <cstdint>
#include <string>
#include <vector>

#include "proxy/policy/clock.h"

namespace levee::sim {

struct Bucket {
  double t = 0;                 // bucket start, seconds since the run started
  std::uint64_t offered = 0;    // new users
  std::uint64_t attempts = 0;   // first attempts and retries
  std::uint64_t goodput = 0;    // 2xx answers received before the caller's deadline
  std::uint64_t late = 0;       // exchanges whose caller left first (Outcome::abandoned)
  std::uint64_t failed = 0;     // 5xx answers received
  std::uint64_t shed = 0;       // attempts levee answered without the service
  double capacity = 0;          // C: successes per second the service can deliver now
  double fail_share = 0;        // share of requests the service fails now
  double deliverable = 0;       // min(C, scripted users per second x (1 - fail share))
  double limit_mean = 0;        // effective limit, mean over the bucket's ticks
  std::uint32_t limit_max = 0;
  double in_flight_mean = 0;    // levee's in-flight count
  double service_queue_mean = 0;  // requests waiting inside the service (abandoned ones too)
  bool recovery = false;        // the group was in recovery mode at some tick
};

// What the service could have delivered to the users who actually arrived in the bucket, per
// second: min(C, new users x success share). Used for goodput shares, so that the Poisson
// noise of the arrivals does not count against the algorithm.
inline double delivered_bar(const Bucket& b, double bucket_seconds) {
  const double offered = static_cast<double>(b.offered) / bucket_seconds * (1 - b.fail_share);
  return offered < b.capacity ? offered : b.capacity;
}

struct Run {
  std::string scenario;
  std::string algorithm;
  double bucket_seconds = 0.1;
  double tick_seconds = 0.01;
  std::vector<Bucket> buckets;
  std::vector<std::uint32_t> limit_ticks;  // effective limit at every tick
  // Every 2xx received in time: when (seconds) and its latency as the caller saw it (attempt
  // sent -> answer, levee's queue included), in ms.
  std::vector<float> success_at;
  std::vector<float> success_ms;
  std::vector<std::pair<double, std::string>> events;  // script steps: time, label
  std::uint32_t initial_limit = 0;
  double wall_seconds = 0;  // how long the simulation took
};

}  // namespace levee::sim
