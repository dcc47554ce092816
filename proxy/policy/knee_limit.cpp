#include "proxy/policy/knee_limit.h"

#include <algorithm>
#include <cmath>

namespace levee::policy {
namespace {

using namespace std::chrono_literals;

// Standard errors a latency difference must exceed to count: two, so that a limit held
// steady moves on noise in about one phase of forty.
constexpr double significance = 2.0;
// Above this share of fast failures in a phase the limit does not grow: a failing service
// answers fast and would look as if it had room.
constexpr double growth_failure_share = 0.05;
// A hold phase with this share of exchanges abandoned by their callers checks at once whether
// a smaller limit would help (a timeout is the strongest overload signal there is).
constexpr double check_abandoned_share = 0.1;
// A phase lasts at least this many mean latencies (see phase_done).
constexpr double min_phase_latencies = 3;
// A phase that cannot collect its samples in this long (a very slow or quiet service) is
// judged with what it has.
constexpr Duration max_phase = 5s;
// An ambiguous probe (its difference within two standard errors of the midpoint) keeps
// measuring, up to this many more times phase_samples, then goes by its point estimate.
constexpr std::uint32_t max_phase_extension = 8;
// The midpoint between "no queue" and "a full step queued", as a share of the full step: a
// saturated service's samples queue a little at W already, so a full step shows less than
// its theoretical ln(high / low).
constexpr double room_share = 0.4;
// An up-probe whose difference stays below this share of the full step (with its error) queued
// only part of the step: W lies inside it, and the limit moves to the estimate.
constexpr double partial_share = 0.8;
// An up-probe whose typical latency rose by less than this share of the step's ln(high / low)
// found no queue, however significant the rise: one request queued per slot would show the
// whole step. A 4% rise over a step of 55 -> 99 is noise of the phases' lengths, not a queue.
constexpr double flat_share = 0.1;
// Weight of a hold phase in the latency reference: about the last five phases.
constexpr double reference_weight = 0.2;
// The first down-probe after a latency rise goes at most this far down: a rise may be a
// slower service, and a deeper probe would cost it throughput for nothing.
constexpr double first_probe_depth = 0.5;
// Standard error of a phase's mean log latency that phases aim for: two phases then differ
// significantly at about 0.09, the midpoint of a 25% step.
constexpr double phase_error = 0.03;
// Weight of a phase in the service's long-run latency variance.
constexpr double variance_weight = 0.2;

}  // namespace

KneeLimit::KneeLimit(const LimitSettings& settings, std::uint32_t initial)
    : settings_(settings.knee),
      min_(std::max<std::uint32_t>(settings.min, 1)),
      max_(std::max(settings.max, min_)),
      limit_(std::clamp(initial, min_, max_)),
      level_(limit_) {}

std::optional<Duration> KneeLimit::reference() const {
  if (!reference_) return std::nullopt;
  return Duration{static_cast<Duration::rep>(std::exp(*reference_))};
}

void KneeLimit::on_sample(const Sample& sample) {
  if (!started_) {
    started_ = true;
    phase_start_ = sample.now;
    next_up_ = sample.now + settings_.probe_interval;
    next_check_ = sample.now;
  }
  if (sample.now - sample.rtt < phase_start_) return;  // it started under an earlier limit
  current_.add(sample, level_);
  if (phase_done(sample.now)) judge(sample.now);
}

bool KneeLimit::phase_done(TimePoint now) {
  const Duration elapsed = now - phase_start_;
  if (elapsed >= max_phase) return true;
  if (phase_ == Phase::hold) {
    // Evidence enough at once: callers giving up on half a phase's worth of exchanges, or
    // half a phase's latencies far above the reference (the start of a congestion).
    if (2 * current_.abandoned >= settings_.phase_samples) return true;
    if (reference_ && 2 * current_.latencies >= settings_.phase_samples && current_.latencies % 4 == 0) {
      current_.summarize();
      if (current_.typical - *reference_ > 2 * std::log(settings_.tolerance)) return true;
    }
  }
  const std::uint32_t wanted = std::max({settings_.phase_samples, wanted_, samples_for_noise()});
  // Mostly failures: judged on the samples it has (it will not grow anyway).
  if (current_.latencies < wanted && current_.samples < 4 * wanted) return false;
  // At least a few mean latencies: a phase is the requests that started in it and have
  // finished, which favours the fast ones the more, the shorter the phase.
  return current_.latencies == 0 ||
         static_cast<double>(elapsed.count()) >= min_phase_latencies * std::exp(current_.mean);
}

void KneeLimit::start(Phase phase, std::uint32_t level, TimePoint now) {
  phase_ = phase;
  level_ = level;
  phase_start_ = now;
  current_ = PhaseStats{};
  extensions_ = 0;
  wanted_ = 0;
}

std::uint32_t KneeLimit::step() const {
  return std::max<std::uint32_t>(static_cast<std::uint32_t>(std::ceil(settings_.step * limit_)), 1);
}

// From the second consecutive up-probe that fitted entirely, each doubles the step (up to
// doubling the limit), as TCP's slow start does: a limit far below W gets there in a few
// probes, while one lucky probe at W does not leap past it.
std::uint32_t KneeLimit::step_up() const {
  const std::uint32_t doublings = growth_ > 1 ? std::min<std::uint32_t>(growth_ - 1, 8) : 0;
  const std::uint32_t grown = std::min(step() << doublings, limit_);
  return std::min(max_, limit_ + std::max(step(), grown));
}

std::uint32_t KneeLimit::step_down(double depth) const {
  const std::uint32_t one_step = limit_ > min_ + step() ? limit_ - step() : min_;
  const auto deeper = static_cast<std::uint32_t>(std::floor(limit_ * std::clamp(depth, 0.0, 1.0)));
  return std::max(min_, std::min(one_step, deeper));
}

// A phase's own variance understates a heavy-tailed service's: twenty samples of a route
// where one request in ten takes 40 times longer often hold none of the slow ones. The
// service's long-run variance is the floor.
double KneeLimit::standard_error(const PhaseStats& a, const PhaseStats& b) const {
  return std::sqrt(std::max(a.typical_variance, long_variance_) / a.half() +
                   std::max(b.typical_variance, long_variance_) / b.half());
}

// Latency samples a phase needs so that its typical latency's standard error is about
// `phase_error` (its lower half holds half of them).
std::uint32_t KneeLimit::samples_for_noise() const {
  return static_cast<std::uint32_t>(std::min(2 * long_variance_ / (phase_error * phase_error), 4000.0));
}

void KneeLimit::judge(TimePoint now) {
  current_.summarize();

  if (current_.latencies >= 10) {
    long_variance_ = long_variance_ == 0
                         ? current_.typical_variance
                         : long_variance_ + variance_weight * (current_.typical_variance - long_variance_);
  }
  switch (phase_) {
    case Phase::hold: judge_hold(now); break;
    case Phase::up: judge_up(now); break;
    case Phase::down: judge_down(now); break;
    case Phase::recheck: judge_recheck(now); break;
  }
}

void KneeLimit::judge_hold(TimePoint now) {
  if (current_.latencies < 2) return hold(now);
  const bool busy = current_.busy_enough();
  const double tolerance = std::log(settings_.tolerance);
  if (!confirmed_) {
    if (!busy) {
      // A calm group's latency is the service's own: a provisional reference, which lets the
      // start of a congestion be seen before the group even fills its limit.
      if (!reference_ || current_.typical < *reference_) {
        reference_ = current_.typical;
      } else {
        *reference_ += reference_weight * (current_.typical - *reference_);
      }
      if (current_.typical - *reference_ <= 2 * tolerance) return hold(now);
    }
    // The first busy (or congested) phase: the group may be far above W -- 32 or 200 on a
    // 4-slot service. Measure at min; one estimate from there lands near W.
    base_ = current_;
    base_unbiased_ = true;
    if (limit_ > min_) return start(Phase::down, min_, now);
    confirm(current_.typical);
    return hold(now);
  }
  if (reference_stale_ && busy) {
    reference_ = current_.typical;
    reference_stale_ = false;
  }
  const double rise = current_.typical - *reference_;
  const double variance = std::max(current_.typical_variance, long_variance_);
  const double noise = significance * std::sqrt(2 * variance / current_.half());
  const bool risen = rise > tolerance && rise > noise;
  const bool abandoned = current_.abandoned_share() >= check_abandoned_share && now >= next_check_;
  if ((risen || abandoned) && limit_ > min_) {
    // A queue (W fell) or a slower service? Probe below: about where W would be if it is a
    // queue, but at most halfway. The phase that started this was picked for its high
    // latency, so the probe is judged against a fresh measurement at the limit (recheck).
    base_unbiased_ = false;
    return start(Phase::down, step_down(std::max(first_probe_depth, std::exp(-rise))), now);
  }
  if (risen) confirm(current_.typical);  // at min there is nothing smaller to try
  if (!busy) return hold(now);        // app-limited: nothing to learn about capacity
  if (growth_check_) {
    check_growth(now);
    if (level_ != limit_) return hold(now);  // went back: measure the old limit afresh
  }
  if (verify_ && limit_ > min_) {
    // The limit just moved down to an estimate: check one step below it, against this phase.
    verify_ = false;
    base_ = current_;
    base_unbiased_ = true;
    return start(Phase::down, step_down(), now);
  }
  // The reference follows the latency within the tolerance (a few phases' average, so that
  // its noise stays small against the tolerance), and a faster service at once.
  const double gap = current_.typical - *reference_;
  if (gap < -tolerance) {
    reference_ = current_.typical;
  } else if (gap < tolerance) {
    *reference_ += reference_weight * gap;
  }
  // Consecutive hold phases at one limit are one measurement: a probe is compared with all
  // of it, so that the comparison's noise is mostly the probe's own.
  if (base_fresh_) {
    base_.merge(current_);
    base_.summarize();
  } else {
    base_ = current_;
    base_fresh_ = true;
  }
  if (now >= next_up_ && limit_ < max_) return start(Phase::up, step_up(), now);
  hold(now);
}

// Where a probe's latency difference d stands between "no queue" (0) and "the whole step
// queued" (`full`). Too close to call: the current phase goes on, up to a bound.
KneeLimit::Verdict KneeLimit::verdict(double d, double full, double error, TimePoint now) {
  const double mid = room_share * full;
  if (d + error < mid) return Verdict::room;
  if (d - error > mid) return Verdict::queue;
  if (extensions_ < max_phase_extension && now - phase_start_ < max_phase) {
    ++extensions_;
    wanted_ = current_.latencies + settings_.phase_samples;
    return Verdict::undecided;
  }
  return d < mid ? Verdict::room : Verdict::queue;
}

void KneeLimit::judge_up(TimePoint now) {
  const PhaseStats& probe = current_;
  const bool failing = probe.failure_share() > growth_failure_share || base_.failure_share() > growth_failure_share;
  // The group used at least half the step on average (a step of 100 takes a while to fill).
  const bool used = 2 * probe.concurrency() >= static_cast<double>(limit_ + level_);
  if (!used || probe.latencies < 2 || failing) {
    next_up_ = now + settings_.probe_interval;  // no evidence of room (or a failing service)
    growth_ = 0;
    return hold(now);
  }
  const double high = std::max(probe.concurrency(), base_.concurrency() + 1);
  const double full = std::log(high / base_.concurrency());
  const double d = probe.typical - base_.typical;
  const double error = significance * standard_error(probe, base_);
  const Verdict v = verdict(d, full, error, now);
  if (v == Verdict::undecided) return;
  base_fresh_ = false;
  next_up_ = now + settings_.probe_interval;
  // A probe that queued clearly less than a whole step's worth found W inside the step, even
  // when it queued too much to count as room (a step of 40 past W = 200 queues 4%).
  const bool partial = d + error < partial_share * full;
  if (v == Verdict::queue && !partial) {
    growth_ = 0;
    return hold(now);
  }
  // No queue up to the concurrency the probe reached (flat) when the typical latency did not
  // rise beyond its noise -- or beyond a small share of a large step, which no queue of any
  // size would leave -- and Little's law agrees (the arithmetic mean catches the short queue
  // waits of one request past W on a regular service, which the lower half can miss). The
  // whole step fitted -- W is at least the probe level -- when the probe also filled it;
  // otherwise W lies inside the step, where Little's law puts it (a flat probe that did not
  // fill its step: at the concurrency it reached). "Reached" allows one request of slack, no
  // more: on a small service one request past W is the whole signal (4 -> 5 on 4 slots).
  const double little = knee_between(base_, probe);
  const double tolerance = 1 - settings_.step / 4;
  const double reached = std::min<double>(level_, probe.concurrency() + 1);
  const bool flat = d <= std::max(error, flat_share * full) && little >= reached * tolerance;
  const bool fitted = flat && little >= level_ * tolerance;
  const double estimate = fitted ? level_ : little;
  const std::uint32_t from = limit_;
  limit_ = std::clamp(static_cast<std::uint32_t>(std::lround(estimate)), limit_, level_);
  if (limit_ == from) {
    growth_ = 0;
    return hold(now);
  }
  if (flat && limit_ < max_ && growth_ > 0) {
    // Growing already (the first step was confirmed): keep going, measured against this phase.
    base_ = probe;
    ++growth_;
    return start(Phase::up, step_up(), now);
  }
  // A first step up rests on one short probe, and consecutive requests through a regular
  // service are correlated (its slots' rhythm persists), so one probe can look roomier than
  // it is. Hold at the new limit and compare it, over longer, with the old one before going on.
  growth_check_ = GrowthCheck{base_, from};
  growth_ = limit_ == level_ ? 1 : 0;
  hold(now);
}

// The hold phases after a first step up, against the hold phases before it: if the new limit
// queues after all, go back to where Little's law puts W.
void KneeLimit::check_growth(TimePoint now) {
  const GrowthCheck check = *growth_check_;
  growth_check_.reset();
  const double full = std::log(current_.concurrency() / check.before.concurrency());
  const double d = current_.typical - check.before.typical;
  const double error = significance * standard_error(current_, check.before);
  // Little's law at the two limits, by arithmetic means (which a regular service's short
  // queue waits do move), significant against their own noise.
  const double little = knee_between(check.before, current_);
  const double little_error = significance * std::sqrt(check.before.relative_variance() + current_.relative_variance());
  const bool queues = (full > 0 && d - error > room_share * full) || little * (1 + little_error) < limit_ - 0.5;
  if (queues) {
    limit_ = std::clamp(static_cast<std::uint32_t>(std::lround(little)), check.from, limit_);
    growth_ = 0;
    base_fresh_ = false;
    return;
  }
  if (growth_ > 0) next_up_ = now;  // confirmed: keep growing
}

void KneeLimit::judge_down(TimePoint now) {
  if (current_.latencies < 2) {
    next_up_ = now + settings_.probe_interval;
    return hold(now);
  }
  if (base_unbiased_) return decide_down(current_, level_, now);
  probe_ = current_;
  probe_level_ = level_;
  start(Phase::recheck, limit_, now);
}

void KneeLimit::judge_recheck(TimePoint now) {
  if (current_.latencies < 2) {
    next_up_ = now + settings_.probe_interval;
    return hold(now);
  }
  base_ = current_;
  const PhaseStats probe = probe_;
  decide_down(probe, probe_level_, now);
}

// W between a measurement at low concurrency and one at high: R(N) = S x max(1, N / W) holds
// for the arithmetic mean latency (Little's law: at a saturated service N = X x R with X
// fixed), not for the geometric one the verdicts use, so the estimate takes arithmetic means.
double KneeLimit::knee_between(const PhaseStats& low, const PhaseStats& high) {
  return high.concurrency() * low.arithmetic / std::max(high.arithmetic, 1e-9);
}

void KneeLimit::confirm(double reference) {
  reference_ = reference;
  reference_stale_ = false;
  confirmed_ = true;
}

void KneeLimit::decide_down(const PhaseStats& probe, std::uint32_t probe_level, TimePoint now) {
  const bool first = !confirmed_;
  const double low = probe.concurrency();
  const double high = std::max(base_.concurrency(), low + 1);
  const double full = std::log(high / low);
  const double d = base_.typical - probe.typical;
  const double error = significance * standard_error(base_, probe);
  const Verdict v = verdict(d, full, error, now);
  if (v == Verdict::undecided) return;  // the current phase (probe or recheck) goes on
  base_fresh_ = false;
  next_up_ = now + settings_.probe_interval;
  if (v == Verdict::room) {
    // A smaller limit did not bring latency down: the service is slower, not queueing. Keep
    // the limit; its latency now is the reference. Abandoned exchanges at this latency are
    // not the limit's to fix: do not check again on them for a probe interval.
    confirm(base_.typical);
    next_check_ = now + settings_.probe_interval;
    // After the first measurement the group is known to have room up to its limit: look for
    // more at once rather than a probe interval later, growing as a confirmed step would (the
    // comparison with `min` was that confirmation, over a far larger step).
    if (first) {
      next_up_ = now;
      growth_ = 1;
    }
    return hold(now);
  }
  // Queueing: latency fell with the limit. Within the noise of the full step, even the probe
  // level queued (W is at most there); otherwise W lies inside the step.
  const double estimate = full - d <= error ? probe_level : knee_between(probe, base_);
  limit_ = std::clamp(static_cast<std::uint32_t>(std::lround(estimate)), probe_level, limit_);
  if (!reference_) reference_ = probe.typical;
  confirmed_ = true;
  reference_stale_ = true;  // the next busy hold phase measures the new limit's latency
  if (limit_ == probe_level && probe_level > min_) {
    // Even the probe level queued: W is lower still. Probe below it, as far as its latency
    // still exceeds the reference, measured against it.
    base_ = probe;
    base_unbiased_ = true;
    return start(Phase::down, step_down(std::exp(-(probe.typical - *reference_))), now);
  }
  // An estimate inside the step rests on two latencies, one of them perhaps cut short by
  // callers who gave up: confirm it with a probe below it once a phase has run there.
  verify_ = limit_ > min_;
  hold(now);
}

}  // namespace levee::policy
