#pragma once
// Knee limit: finds the service's parallelism W -- the in-flight count beyond which more
// concurrency only adds queueing -- and holds it through changes of the service time.
//
// The physics: below W, latency does not depend on concurrency (every request has a slot);
// above it, requests queue inside the service and latency grows in proportion,
// R(N) = S x max(1, N / W). A latency rise at a fixed limit is therefore ambiguous -- a slower
// service (S up) or a queue (W down) look the same -- and only a change of concurrency tells
// them apart: a queue shrinks when the limit does, a slower service does not. So instead of
// comparing latency with a long-term baseline (gradient, which reads every slowdown as a
// queue and cuts the limit to `min`), this limit compares two limits measured back to back:
//
//   d = ln R(high) - ln R(low), from the mean log latency of one phase at each limit
//   W = high x exp(-d)       when low < W < high (exact for the model above);
//   d = ln(high / low)       when both queue (W <= low);   d = 0 when neither does (W >= high)
//
// Phases (each holds one limit until `phase_samples` latency samples that started inside it
// have completed, and at least two mean latencies have passed):
// - hold at the limit. Its latency is compared with a reference -- the latency at which the
//   limit was last confirmed. A rise beyond `tolerance` (or callers abandoning a tenth of the
//   exchanges) starts a down-probe; every `probe_interval` an up-probe starts instead.
// - up-probe at limit + step: if it queues significantly less than a full step's worth, W is
//   above the limit: the limit moves to the estimate, and if the probe fitted entirely the
//   next probe starts at once (growth by `step` per phase, 32 -> 200 in about a second).
// - down-probe at limit - step: if latency falls significantly, the limit was queueing: it
//   moves down to the estimate (and probes lower at once if even the probe level queued).
//   If latency does not fall, the service is slower, not queueing: the limit stays and the
//   raised latency becomes the reference. A slowdown costs one phase at one step below W.
// - the first busy phase, with no reference yet, probes down to `min` (the group may start far
//   above W: 32 or 200 on a 4-slot service); from there one estimate lands on W.
// Latency is compared in logs (geometric means): the queueing delay is added to every request,
// so short requests carry the signal, and a few long ones (a bimodal route) do not drown it.
// Differences count only when significant (two standard errors of the two phase means).
//
// Samples: only requests that started inside the current phase count (older ones saw another
// limit). A phase in which the group did not fill its limit for at least half the samples is
// app-limited and says nothing about capacity: it is discarded. A fast failure (dropped, not
// abandoned) is no latency evidence and is left out; while more than 5% of a phase failed the
// limit does not grow (a failing service answers fast and would look roomy). An abandoned
// sample (the caller gave up: a timeout) is latency, a lower bound of it, and a phase with a
// tenth of them abandoned checks at once whether a smaller limit would help; the limit
// shrinks only if it would.
//
// Thread safety: none (see limit.h).

#include <algorithm>
#include <cstdint>
#include <optional>
#include <vector>

#include "proxy/policy/limit.h"

namespace levee::policy {

class KneeLimit final : public Limit {
 public:
  KneeLimit(const LimitSettings& settings, std::uint32_t initial);

  std::uint32_t current() const override { return level_; }
  std::uint32_t learned() const override { return limit_; }
  void on_sample(const Sample& sample) override;

  enum class Phase : std::uint8_t { hold, up, down, recheck };
  Phase phase() const { return phase_; }
  // The latency the limit was last confirmed at (geometric mean), if any; for tests and /state.
  std::optional<Duration> reference() const;

 private:
  // One phase's samples. Latency is judged by its typical value: the mean of the lower half of
  // ln(rtt). A queue delays every request, so the fast half carries the signal; the slow
  // half carries a heavy-tailed route's noise (one request in ten taking forty times longer
  // moves a plain mean more than a queue does).
  struct Stats {
    std::uint32_t samples = 0;    // every sample that started in the phase
    std::uint32_t latencies = 0;  // those that measured latency (not fast failures)
    std::uint32_t failures = 0;
    std::uint32_t abandoned = 0;
    std::uint32_t busy = 0;       // started with the group at the phase's limit
    double in_flight_sum = 0;     // of the latency samples
    double mean = 0;              // running mean of ln(rtt in ns), for the early exits
    double arithmetic = 0;        // running mean of rtt in ms, for the estimates (Little's law)
    double arithmetic_m2 = 0;
    std::vector<float> logs;      // ln(rtt in ns), a bounded reservoir
    double typical = 0;           // lower-half mean of `logs`, set by summarize()
    double typical_variance = 0;  // of that lower half

    void add(const Sample& sample, std::uint32_t level);
    void merge(const Stats& other);
    void summarize();
    // Squared relative standard error of `arithmetic`.
    double relative_variance() const {
      return latencies > 1 && arithmetic > 0
                 ? arithmetic_m2 / (latencies - 1) / latencies / (arithmetic * arithmetic)
                 : 1.0;
    }
    double half() const { return std::max(1.0, static_cast<double>(logs.size()) / 2); }
    double failure_share() const { return samples > 0 ? static_cast<double>(failures) / samples : 0; }
    double abandoned_share() const { return samples > 0 ? static_cast<double>(abandoned) / samples : 0; }
    bool busy_enough() const { return 2 * busy >= samples; }
    // The concurrency the latencies were measured at (in-flight counts at their start).
    double concurrency() const { return latencies > 0 ? std::max(1.0, in_flight_sum / latencies) : 1.0; }

   private:
    void keep(float x);
  };

  enum class Verdict : std::uint8_t { room, queue, undecided };

  bool phase_done(TimePoint now);
  Verdict verdict(double d, double full, double error, TimePoint now);
  void judge(TimePoint now);
  void judge_hold(TimePoint now);
  void judge_up(TimePoint now);
  void judge_down(TimePoint now);
  void judge_recheck(TimePoint now);
  void check_growth(TimePoint now);
  void decide_down(const Stats& probe, std::uint32_t probe_level, TimePoint now);
  void start(Phase phase, std::uint32_t level, TimePoint now);
  void hold(TimePoint now) { start(Phase::hold, limit_, now); }
  void confirm(double reference);
  std::uint32_t step() const;
  std::uint32_t step_up() const;
  // One step below the limit, or deeper: limit x depth (never below min).
  std::uint32_t step_down(double depth = 1.0) const;
  double standard_error(const Stats& a, const Stats& b) const;
  static double knee_between(const Stats& low, const Stats& high);
  std::uint32_t samples_for_noise() const;

  KneeSettings settings_;
  std::uint32_t min_;
  std::uint32_t max_;
  std::uint32_t limit_;  // what the algorithm has learned
  std::uint32_t level_;  // the limit in force: limit_, or a probe's level
  Phase phase_ = Phase::hold;
  bool started_ = false;
  TimePoint phase_start_{};
  Stats current_;
  Stats base_;                      // busy hold phases at limit_ since the last probe
  bool base_fresh_ = false;         // base_ may be extended by the next hold phase
  bool base_unbiased_ = false;      // base_ was not picked for its latency (no recheck needed)
  bool verify_ = false;             // the limit moved down to an estimate: probe below it
  Stats probe_;                     // a down-probe waiting for its recheck
  std::uint32_t probe_level_ = 0;
  std::optional<double> reference_; // mean log latency at which limit_ was last confirmed
  bool confirmed_ = false;          // reference_ comes from a busy group (else from a calm one)
  bool reference_stale_ = false;    // limit_ moved down: the next hold phase sets it
  TimePoint next_up_{};             // the next up-probe is due
  TimePoint next_check_{};          // abandoned exchanges may start a down-probe again
  std::uint32_t extensions_ = 0;    // times the current probe was extended (ambiguous result)
  std::uint32_t wanted_ = 0;        // latency samples the extended phase waits for
  std::uint32_t growth_ = 0;        // consecutive up-probes that fitted entirely
  struct GrowthCheck {
    Stats before;                   // the hold phases before the first step up
    std::uint32_t from = 0;         // the limit before it
  };
  std::optional<GrowthCheck> growth_check_;
  double long_variance_ = 0;        // of ln(rtt): the service's, averaged over phases
};

}  // namespace levee::policy
