#include "bench/limits/sim/metrics.h"

#include <algorithm>
#include <cmath>

namespace levee::sim {
namespace {


std::size_t bucket_at(const Run& run, double t) {
  const auto i = static_cast<std::size_t>(std::max(0.0, std::round(t / run.bucket_seconds)));
  return std::min(i, run.buckets.size());
}

std::size_t tick_at(const Run& run, double t) {
  const auto i = static_cast<std::size_t>(std::max(0.0, std::round(t / run.tick_seconds)));
  return std::min(i, run.limit_ticks.size());
}

bool window_good(const Run& run, std::size_t first, std::size_t window, double bar) {
  double goodput = 0, deliverable = 0;
  for (std::size_t i = first; i < first + window; ++i) {
    goodput += static_cast<double>(run.buckets[i].goodput);
    deliverable += delivered_bar(run.buckets[i], run.bucket_seconds) * run.bucket_seconds;
  }
  return goodput >= bar * deliverable;
}

}  // namespace

double goodput_rate(const Run& run, double from, double to) {
  const std::size_t a = bucket_at(run, from), b = bucket_at(run, to);
  if (b <= a) return 0;
  double goodput = 0;
  for (std::size_t i = a; i < b; ++i) goodput += static_cast<double>(run.buckets[i].goodput);
  return goodput / (static_cast<double>(b - a) * run.bucket_seconds);
}

double goodput_share(const Run& run, double from, double to) {
  const std::size_t a = bucket_at(run, from), b = bucket_at(run, to);
  double goodput = 0, deliverable = 0;
  for (std::size_t i = a; i < b; ++i) {
    goodput += static_cast<double>(run.buckets[i].goodput);
    deliverable += delivered_bar(run.buckets[i], run.bucket_seconds) * run.bucket_seconds;
  }
  return deliverable > 0 ? goodput / deliverable : 0;
}

double late_share(const Run& run, double from, double to) {
  const std::size_t a = bucket_at(run, from), b = bucket_at(run, to);
  double late = 0, exchanges = 0;
  for (std::size_t i = a; i < b; ++i) {
    const Bucket& x = run.buckets[i];
    late += static_cast<double>(x.late);
    exchanges += static_cast<double>(x.late + x.goodput + x.failed);
  }
  return exchanges > 0 ? late / exchanges : 0;
}

double settle_time(const Run& run, double event, double window_seconds, double bar) {
  const std::size_t first = bucket_at(run, event);
  const auto settle_window = static_cast<std::size_t>(std::lround(window_seconds / run.bucket_seconds));
  // The segment ends at the next step (or the run's end): settled means good until then.
  std::size_t end = run.buckets.size();
  for (const auto& [t, label] : run.events) {
    const std::size_t at = bucket_at(run, t);
    if (at > first) end = std::min(end, at);
  }
  if (end < first + settle_window) return never;
  const std::size_t last = end - settle_window;  // the last window start inside the segment
  if (!window_good(run, last, settle_window, bar)) return never;
  for (std::size_t i = last; i-- > first;) {
    if (!window_good(run, i, settle_window, bar)) return run.buckets[i + 1].t - run.buckets[first].t;
  }
  return 0;
}

LimitRange limit_range(const Run& run, double from, double to) {
  const std::size_t a = tick_at(run, from), b = tick_at(run, to);
  if (b <= a) return {};
  std::vector<std::uint32_t> values(run.limit_ticks.begin() + static_cast<std::ptrdiff_t>(a),
                                    run.limit_ticks.begin() + static_cast<std::ptrdiff_t>(b));
  std::sort(values.begin(), values.end());
  return {values.front(), values[values.size() / 2], values.back()};
}

double follow_time(const Run& run, double event, double lo, double hi, double hold) {
  const std::size_t first = tick_at(run, event);
  const auto hold_ticks = static_cast<std::size_t>(std::round(hold / run.tick_seconds));
  std::size_t streak_start = first, streak = 0;
  for (std::size_t i = first; i < run.limit_ticks.size(); ++i) {
    const double limit = run.limit_ticks[i];
    if (limit >= lo && limit <= hi) {
      if (streak == 0) streak_start = i;
      if (++streak >= hold_ticks) return static_cast<double>(streak_start - first) * run.tick_seconds;
    } else {
      streak = 0;
    }
  }
  return never;
}

double latency_quantile(const Run& run, double from, double to, double q) {
  std::vector<float> values;
  for (std::size_t i = 0; i < run.success_at.size(); ++i) {
    if (run.success_at[i] >= from && run.success_at[i] < to) values.push_back(run.success_ms[i]);
  }
  if (values.empty()) return 0;
  const auto k = static_cast<std::size_t>(std::clamp(q, 0.0, 1.0) * static_cast<double>(values.size() - 1));
  std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(k), values.end());
  return values[k];
}

Summary summarize(const Run& run, double warmup) {
  const double end = static_cast<double>(run.buckets.size()) * run.bucket_seconds;
  Summary s;
  s.goodput_share = goodput_share(run, warmup, end);
  s.late_share = late_share(run, warmup, end);
  for (const auto& [t, label] : run.events) {
    if (t >= warmup) s.settle = std::max(s.settle, settle_time(run, t));
  }
  s.limit = limit_range(run, warmup, end);
  s.p50_ms = latency_quantile(run, warmup, end, 0.5);
  s.p99_ms = latency_quantile(run, warmup, end, 0.99);
  return s;
}

}  // namespace levee::sim
