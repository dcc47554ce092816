#include "proxy/policy/phase_stats.h"

#include <cmath>

namespace levee::policy {
namespace {

constexpr std::size_t reservoir = 1024;

}  // namespace

void PhaseStats::add(const Sample& sample, std::uint32_t level) {
  ++samples;
  if (sample.in_flight >= level) ++busy;
  if (sample.dropped && !sample.abandoned) {
    ++failures;
    return;
  }
  if (sample.abandoned) ++abandoned;
  const double x = std::log(std::max(static_cast<double>(sample.rtt.count()), 1000.0));  // >= 1 us
  ++latencies;
  in_flight_sum += sample.in_flight;
  mean += (x - mean) / latencies;
  const double ms = static_cast<double>(sample.rtt.count()) / 1e6;
  const double delta = ms - arithmetic;
  arithmetic += delta / latencies;
  arithmetic_m2 += delta * (ms - arithmetic);
  keep(static_cast<float>(x));
}

// Reservoir sampling with a deterministic hash for the choice: every latency so far has the
// same chance to be in `logs`, and the policy needs no random source.
void PhaseStats::keep(float x) {
  if (logs.size() < reservoir) {
    logs.push_back(x);
    return;
  }
  const std::uint64_t slot = (static_cast<std::uint64_t>(latencies) * 0x9E3779B97F4A7C15ull >> 20) % latencies;
  if (slot < reservoir) logs[slot] = x;
}

void PhaseStats::merge(const PhaseStats& other) {
  const double n = latencies, m = other.latencies;
  if (m > 0) {
    mean += (other.mean - mean) * m / (n + m);
    const double delta = other.arithmetic - arithmetic;
    arithmetic += delta * m / (n + m);
    arithmetic_m2 += other.arithmetic_m2 + delta * delta * n * m / (n + m);
  }
  samples += other.samples;
  latencies += other.latencies;
  failures += other.failures;
  abandoned += other.abandoned;
  busy += other.busy;
  in_flight_sum += other.in_flight_sum;
  for (const float x : other.logs) {
    if (logs.size() < reservoir) logs.push_back(x);
  }
}

void PhaseStats::summarize() {
  if (logs.empty()) return;
  const auto half = logs.begin() + static_cast<std::ptrdiff_t>((logs.size() + 1) / 2);
  std::nth_element(logs.begin(), half - 1, logs.end());
  double sum = 0;
  for (auto it = logs.begin(); it != half; ++it) sum += *it;
  const double count = static_cast<double>(half - logs.begin());
  typical = sum / count;
  double squares = 0;
  for (auto it = logs.begin(); it != half; ++it) squares += (*it - typical) * (*it - typical);
  typical_variance = count > 1 ? squares / (count - 1) : 0;
}

}  // namespace levee::policy
