#include "stats/histogram.h"

#include <algorithm>
#include <cmath>

namespace levee::load {

namespace {

const double gamma_ = (1 + Histogram::relative_error) / (1 - Histogram::relative_error);
const double log_gamma = std::log(gamma_);

}  // namespace

std::size_t Histogram::bin_count() { return bin_of(max_ns) + 1; }

std::size_t Histogram::bin_of(std::int64_t ns) {
  if (ns <= min_ns) return 0;
  ns = std::min(ns, max_ns);
  double x = std::log(static_cast<double>(ns) / static_cast<double>(min_ns)) / log_gamma;
  return static_cast<std::size_t>(std::ceil(x));
}

std::int64_t Histogram::value_of(std::size_t bin) {
  if (bin == 0) return min_ns;
  double upper = static_cast<double>(min_ns) * std::pow(gamma_, static_cast<double>(bin));
  return static_cast<std::int64_t>(std::llround(2 * upper / (gamma_ + 1)));
}

void Histogram::cover(std::size_t low, std::size_t high) {
  if (bins_.empty()) {
    first_ = low;
    bins_.assign(high - low + 1, 0);
    return;
  }
  if (low < first_) {
    bins_.insert(bins_.begin(), first_ - low, 0);
    first_ = low;
  }
  if (high >= first_ + bins_.size()) bins_.resize(high - first_ + 1, 0);
}

void Histogram::record(std::int64_t ns) {
  ns = std::max<std::int64_t>(ns, 0);
  const std::size_t bin = bin_of(ns);
  cover(bin, bin);
  ++bins_[bin - first_];
  ++count_;
  max_ = std::max(max_, ns);
  sum_ += static_cast<double>(ns);
}

void Histogram::merge(const Histogram& other) {
  if (other.count_ == 0) return;
  cover(other.first_, other.first_ + other.bins_.size() - 1);
  for (std::size_t i = 0; i < other.bins_.size(); ++i) bins_[other.first_ - first_ + i] += other.bins_[i];
  count_ += other.count_;
  max_ = std::max(max_, other.max_);
  sum_ += other.sum_;
}

Nanos Histogram::percentile(double q) const {
  if (count_ == 0) return Nanos{0};
  if (q >= 1) return Nanos{max_};
  auto rank = static_cast<std::uint64_t>(std::ceil(std::max(q, 0.0) * static_cast<double>(count_)));
  rank = std::max<std::uint64_t>(rank, 1);
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < bins_.size(); ++i) {
    seen += bins_[i];
    // Never report more than the largest value actually seen.
    if (seen >= rank) return Nanos{std::min(value_of(first_ + i), max_)};
  }
  return Nanos{max_};
}

Nanos Histogram::mean() const {
  return count_ == 0 ? Nanos{0} : Nanos{static_cast<std::int64_t>(sum_ / static_cast<double>(count_))};
}

}  // namespace levee::load
