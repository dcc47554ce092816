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
// queue and cuts the limit to `min`), this limit compares two limits measured back to back,
// low and high (phase_stats.h says how a phase is summarised):
//   verdict   d = typical(high) - typical(low) against the whole step's ln(high / low):
//             well under it (with two standard errors) there is room at `high`, well over
//             it the step queued; too close to call, the phase measures longer
//   estimate  W = high x R(low) / R(high) by arithmetic means (Little's law), when it lies
//             inside the step
//
// Phases (each holds one limit until `phase_samples` latency samples that started inside it
// have completed -- more when the service's latency is noisy -- and three mean latencies
// have passed):
// - hold at the limit. Its typical latency is compared with a reference: the latency at
//   which the limit was last confirmed, following it within `tolerance`. A rise beyond
//   `tolerance` (or callers abandoning a tenth of the exchanges) starts a down-probe; every
//   `probe_interval` an up-probe starts instead. Consecutive holds merge into one base.
// - up-probe at limit + step (`step` of it, at least one): room moves the limit to the probe
//   level (or to the estimate inside the step). The first step up is then confirmed by holds
//   at the new limit against those at the old one -- consecutive requests through a regular
//   service are correlated, so one short probe can look roomier than it is -- and each
//   further step without a queue follows at once and doubles (32 -> 200 in about 20 mean
//   latencies). A step the group did not fill grows from where it got to. The first
//   measurement below (from the limit to `min`) counts as that confirmation.
// - down-probe below the limit (about where W would be if the rise is a queue, at most
//   halfway), judged against a fresh hold at the limit (the hold that triggered it was picked
//   for its high latency). A queue moves the limit down to the estimate, then a probe below
//   confirms it (and one lower still if even the probe level queued). No queue means a
//   slower service: the limit stays and the raised latency becomes the reference -- a
//   slowdown costs one phase below W, not the limit.
// - the first busy phase (or a calm one already far above the calm latency), with nothing
//   confirmed yet, probes down to `min`: the group may start far above W (32 or 200 on a
//   4-slot service), and one estimate from there lands near W.
//
// Samples: only requests that started inside the current phase count (older ones saw another
// limit). A phase in which the group did not fill its limit for at least half the samples is
// app-limited: it may still reveal a rise, but says nothing about capacity. A fast failure
// (dropped, not abandoned) is no latency evidence and is left out; while more than 5% of a
// phase failed the limit does not grow (a failing service answers fast and would look roomy).
// An abandoned sample (the caller gave up: a timeout) is latency, a lower bound of it, and a
// hold with a tenth of them abandoned checks at once whether a smaller limit would help; the
// limit shrinks only if it would.
//
// Thread safety: none (see limit.h).

#include <cstdint>
#include <optional>

#include "proxy/policy/limit.h"
#include "proxy/policy/phase_stats.h"

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
  enum class Verdict : std::uint8_t { room, queue, undecided };

  bool phase_done(TimePoint now);
  Verdict verdict(double d, double full, double error, TimePoint now);
  void judge(TimePoint now);
  void judge_hold(TimePoint now);
  void judge_up(TimePoint now);
  void judge_down(TimePoint now);
  void judge_recheck(TimePoint now);
  void check_growth(TimePoint now);
  void decide_down(const PhaseStats& probe, std::uint32_t probe_level, TimePoint now);
  void start(Phase phase, std::uint32_t level, TimePoint now);
  void hold(TimePoint now) { start(Phase::hold, limit_, now); }
  void confirm(double reference);
  std::uint32_t step() const;
  std::uint32_t step_up() const;
  // One step below the limit, or deeper: limit x depth (never below min).
  std::uint32_t step_down(double depth = 1.0) const;
  double standard_error(const PhaseStats& a, const PhaseStats& b) const;
  static double knee_between(const PhaseStats& low, const PhaseStats& high);
  std::uint32_t samples_for_noise() const;

  KneeSettings settings_;
  std::uint32_t min_;
  std::uint32_t max_;
  std::uint32_t limit_;  // what the algorithm has learned
  std::uint32_t level_;  // the limit in force: limit_, or a probe's level
  Phase phase_ = Phase::hold;
  bool started_ = false;
  TimePoint phase_start_{};
  PhaseStats current_;
  PhaseStats base_;                      // busy hold phases at limit_ since the last probe
  bool base_fresh_ = false;         // base_ may be extended by the next hold phase
  bool base_unbiased_ = false;      // base_ was not picked for its latency (no recheck needed)
  bool verify_ = false;             // the limit moved down to an estimate: probe below it
  PhaseStats probe_;                     // a down-probe waiting for its recheck
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
    PhaseStats before;                   // the hold phases before the first step up
    std::uint32_t from = 0;         // the limit before it
  };
  std::optional<GrowthCheck> growth_check_;
  double long_variance_ = 0;        // of ln(rtt): the service's, averaged over phases
};

}  // namespace levee::policy
