#pragma once
// Typed settings of the policy layer: plain data with defaults, nothing else.
//
// The config loader maps YAML onto exactly these structs (one struct per YAML block, one field
// per key) and validates them; policy classes take them by const reference in their
// constructors. The defaults are chosen to protect a typical HTTP service out of the box
// (latencies of a few ms to a few hundred ms, callers that give up after 1-10 s); each comment
// says what the field means and why the default is what it is. validate() lists the
// constraints the loader must enforce (it returns the first violated one, or empty).

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>

#include "proxy/policy/clock.h"
#include "proxy/policy/fairness_settings.h"

namespace levee::policy {

using namespace std::chrono_literals;

enum class LimitKind : std::uint8_t {
  fixed,     // `initial` is the limit, forever (the YAML threshold)
  aimd,      // loss based: +1 per limit-worth of good samples, x backoff_ratio on a drop
  gradient,  // latency based: shrinks when recent latency exceeds the long-term baseline
  knee,      // finds the concurrency beyond which latency grows with it (knee_limit.h)
};

// One name per kind: the YAML word (`limit.kind`) and what /state reports.
inline constexpr std::array all_limit_kinds{LimitKind::fixed, LimitKind::aimd, LimitKind::gradient,
                                            LimitKind::knee};

constexpr std::string_view name(LimitKind kind) {
  switch (kind) {
    case LimitKind::fixed: return "fixed";
    case LimitKind::aimd: return "aimd";
    case LimitKind::gradient: return "gradient";
    case LimitKind::knee: return "knee";
  }
  return "unknown";
}

constexpr std::optional<LimitKind> parse_limit_kind(std::string_view word) {
  for (const LimitKind kind : all_limit_kinds) {
    if (name(kind) == word) return kind;
  }
  return std::nullopt;
}

// AIMD: additive increase, multiplicative decrease (TCP Reno's rule applied to concurrency).
struct AimdSettings {
  // Multiplier applied on a drop (timeout / 5xx / rtt over `timeout`). 0.9 backs off gently:
  // one error should not halve capacity; a burst of errors still does within a few RTTs.
  double backoff_ratio = 0.9;
  // Limit growth per limit-worth of successful samples taken at full concurrency, i.e. about
  // +1 per round trip, as TCP does. Larger values find capacity faster but overshoot more.
  double increase = 1.0;
  // A success slower than this counts as a drop: a response the caller probably abandoned.
  Duration timeout = 5s;

  bool operator==(const AimdSettings&) const = default;
};

// Gradient: Netflix Gradient2 / Envoy gradient controller spirit (see gradient_limit.h).
struct GradientSettings {
  // Queueing the limit tolerates before it shrinks: it holds while recent latency stays
  // within tolerance x the long-term baseline. 1.2 settles the limit at about 1.2x the
  // service's real concurrency: enough headroom for noise, little backend queueing.
  double tolerance = 1.2;
  // Weight of a new estimate against the current limit (0..1]. 0.2 smooths one noisy window
  // away while still halving an oversized limit in about a second of 100 ms windows.
  double smoothing = 0.2;
  // Windows over which the latency baseline may rise (an exponential average's length).
  // 600 x 100 ms = a minute: long enough that sustained overload barely moves the baseline,
  // short enough that a service that really became slower is re-learned.
  std::uint32_t long_window = 600;
  // Samples are aggregated per window (mean RTT, max in-flight) before the limit moves, so one
  // slow request cannot move it. 100 ms matches Envoy's default update interval.
  Duration window = 100ms;
  // A window stays open until it has this many samples (up to 10 x `window`), so a quiet
  // service still yields windows while one slow request cannot move the limit.
  std::uint32_t window_min_samples = 10;
  // The baseline is (re)measured by pinning the limit to `min` for a few windows: at start
  // (otherwise a group that starts congested learns a congested baseline and never finds the
  // real capacity) and every probe_interval (otherwise sustained overload slowly drags the
  // baseline up). 60 s, as Envoy: costs about 1% of capacity. Zero: never probe (pure
  // Gradient2 behaviour: the first windows' latency is the baseline).
  Duration probe_interval = 60s;

  bool operator==(const GradientSettings&) const = default;
};

// Knee: finds the in-flight count beyond which latency grows with concurrency (the service's
// parallelism) by measuring neighbouring limits back to back (see knee_limit.h).
struct KneeSettings {
  // A busy group tries one step above its limit this often, to find capacity that was added.
  // A probe costs a little latency (one step of queueing for one phase) and no throughput.
  // 1 s: a doubled service is found within a few seconds.
  Duration probe_interval = 1s;
  // A probe moves the limit by this share of it, at least one request. 0.2 keeps a probe
  // above a small service's slots within 1.3 x its slots (4 -> 5) and a latency difference
  // measurable in a few dozen samples on a large one.
  double step = 0.2;
  // Latency samples a phase (one limit held for a measurement) collects before it is judged.
  // 20 separate a 20% latency step from the noise of a typical service in one phase.
  std::uint32_t phase_samples = 20;
  // Latency at the limit may rise to this multiple of its reference before the limit checks
  // whether a smaller limit would bring it down (queueing) or not (a slower service). 1.25:
  // above the noise of one phase, below what one extra request per slot adds.
  double tolerance = 1.25;

  bool operator==(const KneeSettings&) const = default;
};

struct LimitSettings {
  // knee by default: it needs no threshold from the operator, finds the service's parallelism
  // by measuring, and keeps it when the service merely gets slower (gradient reads that as
  // queueing and cuts the limit to `min`: 75% of what the slowed service delivers, measured in
  // bench/limits/real_slowdown.sh; knee 100%). Configure `fixed` when the capacity is known.
  LimitKind kind = LimitKind::knee;
  // fixed: the limit. Adaptive: the starting point, a moderate guess that is safe for most
  // services and is corrected within seconds.
  std::uint32_t initial = 32;
  // Adaptive bounds. min keeps a misled algorithm from starving a healthy service; it is 3 (as
  // in Envoy) because a higher floor would sit above a small service's capacity -- an app
  // server with 4 workers -- and switch the limit off there. max 1000 keeps a misled
  // algorithm from letting a stampede through.
  std::uint32_t min = 3;
  std::uint32_t max = 1000;
  AimdSettings aimd;
  GradientSettings gradient;
  KneeSettings knee;

  bool operator==(const LimitSettings&) const = default;
};

enum class QueueOrder : std::uint8_t {
  fifo,      // first come first served: fair while the queue drains quickly
  lifo,      // newest first: the newest caller is the most likely to still be waiting
  adaptive,  // FIFO while the queue keeps emptying, LIFO once it stands longer than lifo_after
};

struct QueueSettings {
  // Waiters beyond the limit. A short queue absorbs bursts; a long one only stores stale
  // requests. 128 covers a burst several times a typical limit.
  std::uint32_t max_length = 128;
  // Longest any request may wait for a permit. 1 s: callers' timeouts are typically 1-10 s and
  // a request that waited longer than that is rarely still wanted.
  Duration max_wait = 1s;
  QueueOrder order = QueueOrder::adaptive;
  // adaptive: LIFO once the queue has been continuously non-empty this long. 100 ms: a burst
  // drains in less; a queue standing longer is overload, where newest-first protects goodput.
  Duration lifo_after = 100ms;
  // CoDel: when the oldest waiter's age stays above `codel_target` for a whole
  // `codel_interval`, the queue is congested and waiters older than the target are shed
  // (reason `stale`) until the standing queue dissolves. Set codel_target to zero to disable.
  // 50 ms / 200 ms: a good queue wait is short next to a typical service time; a standing
  // queue for 200 ms is not a burst any more.
  Duration codel_target = 50ms;
  Duration codel_interval = 200ms;

  bool operator==(const QueueSettings&) const = default;
};

// Goodput-collapse detection and recovery mode (see collapse_detector.h).
struct CollapseSettings {
  bool enabled = true;
  // Goodput (successes per second) is measured per window. 1 s: collapse unfolds over seconds;
  // shorter windows would mistake noise for collapse.
  Duration window = 1s;
  // Collapse = busy, queue waits above the CoDel target, and goodput below
  // (1 - goodput_drop) x its recent peak. 0.3: a 30% fall while saturated is not noise.
  double goodput_drop = 0.3;
  // Share of the window's ticks that must find the group saturated (at its limit or queueing)
  // for the window to count as busy; a falling goodput is only alarming when demand is there.
  double busy_fraction = 0.8;
  // The peak goodput decays by this factor per window, so a reference from long ago (or a
  // capacity that really shrank) does not hold the group in recovery forever.
  double peak_decay = 0.95;
  // In recovery the limit is clamped to what the recent peak goodput needs by Little's law
  // (peak rate x baseline service time x 1.2); with no estimate yet, to limit x clamp_factor.
  double clamp_factor = 0.5;
  // Recovery ends after this many consecutive healthy windows (goodput back, or demand gone).
  std::uint32_t recovery_windows = 3;
  // Collapse = also this share of a window's finished exchanges abandoned by their callers
  // (they left, or their deadline passed, while the request was at the service). 0.25: a
  // quarter of the service's work thrown away is no longer noise at any limit; a healthy
  // group, however loaded, abandons next to nothing, because its queue wait is bounded.
  double abandoned_share = 0.25;

  bool operator==(const CollapseSettings&) const = default;
};

// Token bucket for retries (see retry_budget.h): retries <= ratio x requests + floor.
struct RetryBudgetSettings {
  // Retries allowed per request over the window. 0.1, the SRE book's per-client figure:
  // even if every request fails, retries add at most 10% load.
  double ratio = 0.1;
  // Retries per second allowed regardless of traffic, so a quiet route can still retry.
  // Kept small: it is the budget when the service is fully down.
  double min_per_second = 1.0;
  // Deposits expire after this long, so a past busy period cannot fund a retry storm now.
  // 10 s, as Finagle and Linkerd.
  Duration window = 10s;
  // levee's own retries to the service (the forwarder's ConcurrencyCap): at most this many
  // retries in flight at once per route; 0 = no cap. The budget bounds retries per window,
  // this bounds a burst within it. 32 is far above what a 10% budget produces normally.
  std::uint32_t max_concurrent = 32;

  bool operator==(const RetryBudgetSettings&) const = default;
};

// One admission group: the limit, its queue and the policies around them.
struct AdmissionSettings {
  LimitSettings limit;
  QueueSettings queue;
  // Share of the limit only critical requests may use (rounded up, always leaving >= 1 slot
  // for others). 0.1: enough for logins and checkouts to pass a saturated group.
  double critical_reserved_share = 0.1;
  // Inbound client retries (Ticket::is_retry) spend from this budget; beyond it they are shed
  // with reason `retry_budget`. First attempts feed it.
  bool retry_budget_enabled = true;
  RetryBudgetSettings retry_budget;
  CollapseSettings collapse;
  // Fair sharing of the limit among flows (tenants, keys); off until a key is configured.
  FairnessSettings fairness;
  // Compute every decision and count what would have been shed, but admit everything: deploy
  // first, tune thresholds from real traffic.
  bool dry_run = false;
  // Service time and drain rate (for deadline-aware admission and Retry-After) are averaged
  // per window of this length. 250 ms reacts within a second without chasing noise.
  Duration estimate_window = 250ms;
  // Bounds of the suggested Retry-After (queue drain time). The floor stops instant
  // re-stampedes; the ceiling stops callers from staying away long after recovery.
  Duration retry_after_min = 1s;
  Duration retry_after_max = 30s;

  bool operator==(const AdmissionSettings&) const = default;
};

// The constraint the loader must report, or empty when the settings are valid. The loader
// adds file, line and key path; these messages name the field.
std::string_view validate(const LimitSettings& settings);
std::string_view validate(const QueueSettings& settings);
std::string_view validate(const CollapseSettings& settings);
std::string_view validate(const RetryBudgetSettings& settings);
std::string_view validate(const AdmissionSettings& settings);

}  // namespace levee::policy
