#include "schedule/schedule.h"

#include <algorithm>
#include <cmath>

namespace levee::load {

namespace {

// Arrivals within a segment during its first `tau` seconds.
double count_within(const RateSegment& s, double tau) {
  double d = to_seconds(s.duration);
  if (d <= 0) return 0;
  return s.start_rate * tau + (s.end_rate - s.start_rate) * tau * tau / (2 * d);
}

}  // namespace

Schedule::Schedule(std::vector<RateSegment> segments) : segments_(std::move(segments)) {
  starts_.push_back(0);
  counts_.push_back(0);
  for (const RateSegment& s : segments_) {
    starts_.push_back(starts_.back() + s.duration.count());
    counts_.push_back(counts_.back() + count_within(s, to_seconds(s.duration)));
  }
}

std::size_t Schedule::segment_at(Nanos t) const {
  auto it = std::upper_bound(starts_.begin(), starts_.end(), t.count());
  std::size_t i = static_cast<std::size_t>(it - starts_.begin());
  i = i == 0 ? 0 : i - 1;
  return std::min(i, segments_.empty() ? 0 : segments_.size() - 1);
}

double Schedule::count_at(Nanos t) const {
  if (segments_.empty() || t.count() <= 0) return 0;
  if (t >= duration()) return total_count();
  std::size_t i = segment_at(t);
  double tau = static_cast<double>(t.count() - starts_[i]) / 1e9;
  return counts_[i] + count_within(segments_[i], tau);
}

double Schedule::rate_at(Nanos t) const {
  if (segments_.empty() || t.count() < 0 || t >= duration()) return 0;
  std::size_t i = segment_at(t);
  const RateSegment& s = segments_[i];
  double f = static_cast<double>(t.count() - starts_[i]) / static_cast<double>(s.duration.count());
  return s.start_rate + (s.end_rate - s.start_rate) * f;
}

double Schedule::rate_before(Nanos t) const {
  if (segments_.empty() || t.count() <= 0 || t > duration()) return 0;
  const std::size_t i = segment_at(t - Nanos{1});
  const RateSegment& s = segments_[i];
  double f = static_cast<double>(t.count() - starts_[i]) / static_cast<double>(s.duration.count());
  return s.start_rate + (s.end_rate - s.start_rate) * f;
}

Schedule sum_schedules(const std::vector<const Schedule*>& schedules) {
  std::vector<std::int64_t> cuts{0};
  for (const Schedule* s : schedules) {
    for (std::size_t i = 0; i < s->segments().size(); ++i) cuts.push_back((s->segment_start(i) + s->segments()[i].duration).count());
  }
  std::sort(cuts.begin(), cuts.end());
  cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());
  std::vector<RateSegment> sum;
  for (std::size_t i = 0; i + 1 < cuts.size(); ++i) {
    RateSegment piece{Nanos{cuts[i + 1] - cuts[i]}, 0, 0};
    for (const Schedule* s : schedules) {
      piece.start_rate += s->rate_at(Nanos{cuts[i]});
      piece.end_rate += s->rate_before(Nanos{cuts[i + 1]});
    }
    sum.push_back(piece);
  }
  return Schedule(std::move(sum));
}

std::optional<Nanos> Schedule::time_of(double u) const {
  if (segments_.empty() || u < 0 || u >= total_count()) return std::nullopt;
  // The segment whose count range holds u; empty segments (rate 0) are skipped by upper_bound.
  auto it = std::upper_bound(counts_.begin(), counts_.end(), u);
  std::size_t i = static_cast<std::size_t>(it - counts_.begin()) - 1;
  const RateSegment& s = segments_[i];
  double c = u - counts_[i];
  double d = to_seconds(s.duration);
  double a = (s.end_rate - s.start_rate) / (2 * d);
  double r0 = s.start_rate;
  // Solve a*tau^2 + r0*tau = c in the form that stays accurate when a is tiny or r0 is 0.
  double disc = std::max(r0 * r0 + 4 * a * c, 0.0);
  double denom = r0 + std::sqrt(disc);
  double tau = denom > 0 ? 2 * c / denom : 0;
  auto offset = static_cast<std::int64_t>(std::llround(tau * 1e9));
  offset = std::clamp<std::int64_t>(offset, 0, s.duration.count() - 1);
  return Nanos{starts_[i] + offset};
}

}  // namespace levee::load
