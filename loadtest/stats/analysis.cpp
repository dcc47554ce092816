#include "stats/analysis.h"

#include <algorithm>
#include <fmt/format.h>

namespace levee::load {

namespace {

double ratio(std::uint64_t a, std::uint64_t b) {
  return b == 0 ? 0.0 : static_cast<double>(a) / static_cast<double>(b);
}

std::optional<double> seconds_or_none(std::optional<Nanos> d) {
  if (!d) return std::nullopt;
  return to_seconds(*d);
}

// A latency percentile in seconds; none when nothing was measured (not the same as 0 s).
std::optional<double> percentile_or_none(const Histogram& h, double q) {
  if (h.empty()) return std::nullopt;
  return to_seconds(h.percentile(q));
}

std::optional<double> p99_or_none(const Histogram& h) { return percentile_or_none(h, 0.99); }

// Buckets [first, last) covering the time range [from, to).
std::pair<std::size_t, std::size_t> bucket_range(const Series& s, Nanos from, Nanos to) {
  const std::int64_t w = std::max<std::int64_t>(s.bucket.count(), 1);
  auto first = static_cast<std::size_t>(std::max<std::int64_t>(from.count(), 0) / w);
  auto last = static_cast<std::size_t>((std::max<std::int64_t>(to.count(), 0) + w - 1) / w);
  return {std::min(first, s.buckets.size()), std::min(last, s.buckets.size())};
}

// The baseline must be served, and served every second, or nothing after it can be judged.
void check_baseline(const Series& series, const PhaseInfo& phase, const SlotStats& stats,
                    const ValidityConfig& validity, RunAnalysis& a) {
  double overall = ratio(stats.counters.goodput, stats.counters.offered);
  if (stats.counters.offered == 0 || overall < validity.min_baseline_ratio) {
    a.invalid_reasons.push_back(fmt::format(
        "baseline unstable: phase '{}' served only {:.1f}% of its requests in time (need {:.0f}%)",
        phase.name, overall * 100, validity.min_baseline_ratio * 100));
    return;
  }
  auto [first, last] = bucket_range(series, phase.start, phase.end);
  const std::int64_t w = std::max<std::int64_t>(series.bucket.count(), 1);
  const std::size_t per_second = static_cast<std::size_t>(std::max<std::int64_t>(1, 1'000'000'000 / w));
  for (std::size_t i = first; i + per_second <= last; i += per_second) {
    Counters c;
    for (std::size_t j = i; j < i + per_second; ++j) c.add(series.buckets[j].counters);
    double r = ratio(c.goodput, c.offered);
    if (c.offered > 0 && r < validity.min_baseline_second_ratio) {
      a.invalid_reasons.push_back(fmt::format(
          "baseline unstable: in phase '{}' the second from {:.1f}s served only {:.1f}% in time",
          phase.name, to_seconds(Nanos{static_cast<std::int64_t>(i) * w}), r * 100));
      return;
    }
  }
}

}  // namespace

std::string_view name_of(PhaseRole role) {
  switch (role) {
    case PhaseRole::warmup: return "warmup";
    case PhaseRole::baseline: return "baseline";
    case PhaseRole::overload: return "overload";
    case PhaseRole::recovery: return "recovery";
    case PhaseRole::other: return "other";
  }
  return "other";
}

std::optional<Nanos> first_time_above(std::span<const PhaseInfo> phases, double capacity) {
  for (const PhaseInfo& p : phases) {
    if (p.start_rate > capacity) return p.start;
    if (p.end_rate > capacity && p.end_rate != p.start_rate) {
      double f = (capacity - p.start_rate) / (p.end_rate - p.start_rate);
      return p.start + Nanos{static_cast<std::int64_t>(f * static_cast<double>((p.end - p.start).count()))};
    }
  }
  return std::nullopt;
}

RunAnalysis analyze(std::span<const ThreadRecords> records, const Series& series,
                    std::span<const PhaseInfo> phases, std::optional<double> capacity,
                    const RecoveryConfig& recovery, const ValidityConfig& validity) {
  return analyze_aggregates(aggregate(
                                records,
                                [phases](std::int64_t t) {
                                  for (std::size_t i = 0; i < phases.size(); ++i) {
                                    if (t < phases[i].end.count()) return i;
                                  }
                                  return phases.empty() ? std::size_t{0} : phases.size() - 1;
                                },
                                std::max<std::size_t>(phases.size(), 1)),
                            series, phases, capacity, recovery, validity);
}

RunAnalysis analyze_aggregates(std::vector<SlotStats> phase_stats, const Series& series,
                               std::span<const PhaseInfo> phases, std::optional<double> capacity,
                               const RecoveryConfig& recovery, const ValidityConfig& validity) {
  RunAnalysis a;
  a.phases = std::move(phase_stats);
  for (const SlotStats& p : a.phases) a.total.merge(p);

  // The overload: the first run of consecutive overload phases.
  SlotStats overload_stats, after_stats;
  for (std::size_t i = 0; i < phases.size(); ++i) {
    if (phases[i].role != PhaseRole::overload) continue;
    if (!a.overload_start) {
      a.overload_start = phases[i].start;
      for (std::size_t j = i; j > 0; --j) {
        if (phases[j - 1].role == PhaseRole::baseline) {
          a.baseline_phase = j - 1;
          break;
        }
      }
    } else if (phases[i - 1].role != PhaseRole::overload) {
      break;
    }
    a.overload_end = phases[i].end;
    overload_stats.merge(a.phases[i]);
  }
  for (std::size_t i = 0; i < phases.size(); ++i) {
    if (a.overload_end && phases[i].start >= *a.overload_end) after_stats.merge(a.phases[i]);
  }

  if (a.baseline_phase) {
    const SlotStats& b = a.phases[*a.baseline_phase];
    a.baseline.goodput_ratio = ratio(b.counters.goodput, b.counters.offered);
    a.baseline.p99 = b.latency.percentile(0.99);
    a.recovery_p99_bound = recovery_p99_bound(a.baseline.p99);
    check_baseline(series, phases[*a.baseline_phase], b, validity, a);
  } else if (a.overload_start) {
    a.invalid_reasons.push_back("no baseline phase before the overload: recovery cannot be judged");
  }

  if (a.overload_start && a.overload_end) {
    if (a.baseline_phase) a.recovery = compute_recovery(series, *a.overload_end, a.baseline, recovery, validity.max_lag_p99);
    if (capacity) a.capacity_exceeded_at = first_time_above(phases, *capacity);
    Nanos reference = a.capacity_exceeded_at.value_or(*a.overload_start);
    if (series.first_shed_end) a.time_to_first_shed = std::max(*series.first_shed_end - reference, Nanos{0});

    auto [first, last] = bucket_range(series, *a.overload_start, *a.overload_end);
    const double per_bucket_capacity = capacity.value_or(0) * to_seconds(series.bucket);
    double served = 0, achievable = 0, deficit = 0;
    for (std::size_t i = first; i < series.buckets.size(); ++i) {
      const Counters& c = series.buckets[i].counters;
      double possible = capacity ? std::min(static_cast<double>(c.offered), per_bucket_capacity)
                                 : static_cast<double>(c.offered);
      if (i < last) {
        // Users are filed by arrival, and a queue can serve a short spike's users in time after
        // it: capped per bucket, so the figure stays "share of what could have been served".
        served += std::min(static_cast<double>(c.goodput), possible);
        achievable += possible;
      }
      deficit += std::max(0.0, a.baseline.goodput_ratio * possible - static_cast<double>(c.goodput));
    }
    if (capacity && achievable > 0) a.overload_goodput = served / achievable;
    a.goodput_deficit = deficit;

    // The overload must have been one: asked for more than capacity, and felt by the target.
    double peak = 0;
    for (const PhaseInfo& p : phases) {
      if (p.role == PhaseRole::overload) peak = std::max({peak, p.start_rate, p.end_rate});
    }
    if (capacity && peak < 1.05 * *capacity) {
      a.invalid_reasons.push_back(fmt::format(
          "overload never exceeded capacity: peak {:.0f} req/s vs capacity {:.0f} req/s", peak, *capacity));
    }
    const Counters& oc = overload_stats.counters;
    std::uint64_t strain = oc.of(Outcome::shed) + oc.of(Outcome::timeout) + oc.errors() + oc.late;
    bool slower = a.baseline_phase && overload_stats.latency.percentile(0.99) > a.recovery_p99_bound;
    if (ratio(strain, oc.attempts) < 0.01 && !slower) {
      a.invalid_reasons.push_back(
          "overload never exceeded capacity: the target shed, failed or slowed down for under 1% of "
          "the overload's requests");
    }
  }

  const Counters& t = a.total.counters;
  Nanos lag_p99 = a.total.lag.percentile(0.99);
  if (lag_p99 > validity.max_lag_p99) {
    a.invalid_reasons.push_back(fmt::format("generator fell behind its schedule: lag p99 {} > {}",
                                            format_metric({"", MetricKind::duration, to_seconds(lag_p99)}),
                                            format_duration(validity.max_lag_p99)));
  }
  double not_sent = ratio(t.of(Outcome::not_sent), t.attempts);
  if (not_sent > validity.max_not_sent_ratio) {
    a.invalid_reasons.push_back(fmt::format(
        "generator fell behind its schedule: {:.2f}% of attempts could not be sent (connection cap)",
        not_sent * 100));
  }
  a.valid = a.invalid_reasons.empty();

  auto metric = [&](std::string name, MetricKind kind, std::optional<double> v) {
    a.metrics.push_back({std::move(name), kind, v});
  };
  using K = MetricKind;
  metric("recovery_time", K::duration, seconds_or_none(a.recovery.time));
  metric("time_to_first_shed", K::duration, seconds_or_none(a.time_to_first_shed));
  metric("overload_goodput", K::ratio, a.overload_goodput);
  metric("goodput_ratio", K::ratio, ratio(t.goodput, t.offered));
  metric("baseline_goodput_ratio", K::ratio,
         a.baseline_phase ? std::optional<double>(a.baseline.goodput_ratio) : std::nullopt);
  metric("late_ratio", K::ratio, ratio(t.late, t.offered));
  metric("shed_ratio", K::ratio, ratio(t.of(Outcome::shed), t.attempts));
  metric("error_ratio", K::ratio, ratio(t.errors(), t.attempts));
  metric("timeout_ratio", K::ratio, ratio(t.of(Outcome::timeout), t.attempts));
  metric("not_sent_ratio", K::ratio, not_sent);
  metric("amplification", K::number, ratio(t.attempts, t.offered));
  metric("goodput_deficit", K::number, a.goodput_deficit);
  metric("p50", K::duration, percentile_or_none(a.total.latency, 0.5));
  metric("p90", K::duration, percentile_or_none(a.total.latency, 0.9));
  metric("p95", K::duration, percentile_or_none(a.total.latency, 0.95));
  metric("p99", K::duration, p99_or_none(a.total.latency));
  metric("baseline_p99", K::duration,
         a.baseline_phase ? p99_or_none(a.phases[*a.baseline_phase].latency) : std::nullopt);
  metric("overload_p99", K::duration, p99_or_none(overload_stats.latency));
  metric("recovery_p99", K::duration, p99_or_none(after_stats.latency));
  metric("lag_p99", K::duration, to_seconds(lag_p99));
  metric("lag_max", K::duration, to_seconds(a.total.lag.max()));
  // How much of the time after the overload recovery_time could not judge (generator late).
  metric("recovery_set_aside", K::duration,
         to_seconds(Nanos{series.bucket.count() * static_cast<std::int64_t>(a.recovery.buckets_set_aside)}));
  return a;
}

}  // namespace levee::load
