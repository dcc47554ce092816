#pragma once
// One measurement phase of the knee limit (knee_limit.h): the samples of the requests that
// started while one limit held, summarised the ways the limit judges them.
//
// - typical: the mean of the lower half of ln(rtt). A queue delays every request, so the
//   fast half carries the signal, while the slow half carries a heavy-tailed route's noise
//   (one request in ten taking forty times longer moves a plain mean more than a queue does).
//   The knee's verdicts (queue or room) compare typical latencies.
// - arithmetic: the plain mean rtt. Little's law holds for it (N = X x R at a saturated
//   service), not for a geometric or trimmed mean, so the knee's *estimates* of W use it.
// - concurrency: the mean in-flight count the latencies were measured at.
// - failures (dropped, not abandoned) are counted, never latency; abandoned samples are
//   latency (a lower bound of it) and counted too; busy counts samples that started with the
//   group at the phase's limit (the others were app-limited).
// ln(rtt) values are kept in a bounded reservoir (1024) for the lower half.
//
// Thread safety: none (the knee limit's, see limit.h).

#include <algorithm>
#include <cstdint>
#include <vector>

#include "proxy/policy/limit.h"

namespace levee::policy {

struct PhaseStats {
  std::uint32_t samples = 0;    // every sample that started in the phase
  std::uint32_t latencies = 0;  // those that measured latency (not fast failures)
  std::uint32_t failures = 0;
  std::uint32_t abandoned = 0;
  std::uint32_t busy = 0;       // started with the group at the phase's limit
  double in_flight_sum = 0;     // of the latency samples
  double mean = 0;              // running mean of ln(rtt in ns), for cheap early checks
  double arithmetic = 0;        // running mean of rtt in ms
  double arithmetic_m2 = 0;
  std::vector<float> logs;      // ln(rtt in ns), a bounded reservoir
  double typical = 0;           // lower-half mean of `logs`, set by summarize()
  double typical_variance = 0;  // of that lower half

  // `level`: the limit the phase holds (a sample that started at it is busy).
  void add(const Sample& sample, std::uint32_t level);
  // Appends another phase at the same limit (consecutive hold phases are one measurement).
  void merge(const PhaseStats& other);
  // Computes typical and typical_variance from the reservoir (reorders it).
  void summarize();

  double failure_share() const { return samples > 0 ? static_cast<double>(failures) / samples : 0; }
  double abandoned_share() const { return samples > 0 ? static_cast<double>(abandoned) / samples : 0; }
  bool busy_enough() const { return 2 * busy >= samples; }
  double concurrency() const { return latencies > 0 ? std::max(1.0, in_flight_sum / latencies) : 1.0; }
  // Squared relative standard error of `arithmetic`.
  double relative_variance() const {
    return latencies > 1 && arithmetic > 0 ? arithmetic_m2 / (latencies - 1) / latencies / (arithmetic * arithmetic)
                                           : 1.0;
  }
  // Samples behind `typical`.
  double half() const { return std::max(1.0, static_cast<double>(logs.size()) / 2); }

 private:
  void keep(float x);
};

}  // namespace levee::policy
