#pragma once
// Log-bucketed latency histogram with a bounded relative error.
//
// Bin i covers (m*g^(i-1), m*g^i] with g = (1+a)/(1-a); a bin is reported as 2*m*g^i/(g+1), which
// is within a (1%) of every value in it, so every percentile is within 1% of the exact one
// (the DDSketch construction). Values at or below m (1 us) share bin 0. Only the bins from the
// smallest to the largest value recorded are kept: a run holds a histogram per 100 ms bucket
// (latency and lag), and one bucket's values span a few hundred of the ~1000 bins, so a long run's
// series costs a fraction of full arrays (an hour at 1,000 req/s kept ~8 KB per histogram, most
// of a run's memory). Empty histograms cost nothing. Not thread-safe: each histogram has one
// writer; merge() combines them afterwards.

#include <cstddef>
#include <cstdint>
#include <vector>

#include "common/duration.h"

namespace levee::load {

class Histogram {
 public:
  static constexpr double relative_error = 0.01;
  static constexpr std::int64_t min_ns = 1'000;               // 1 us
  static constexpr std::int64_t max_ns = 1'000'000'000'000;  // 1000 s; larger values are clamped

  static std::size_t bin_count();
  static std::size_t bin_of(std::int64_t ns);
  static std::int64_t value_of(std::size_t bin);

  void record(std::int64_t ns);
  void record(Nanos d) { record(d.count()); }
  void merge(const Histogram& other);

  std::uint64_t count() const { return count_; }
  bool empty() const { return count_ == 0; }
  // q in [0, 1]: the value at rank ceil(q * count), 0 when empty. q = 1 is the exact max.
  Nanos percentile(double q) const;
  Nanos max() const { return Nanos{max_}; }
  Nanos mean() const;
  std::size_t kept_bins() const { return bins_.size(); }  // memory kept, in bins
  // Frees the room the bins grew into: for a histogram that is (nearly) final, as a finished
  // bucket of a long run's series.
  void shrink_to_fit() { bins_.shrink_to_fit(); }

 private:
  // Grows the kept range to include bins [low, high].
  void cover(std::size_t low, std::size_t high);

  std::vector<std::uint64_t> bins_;  // bins_[i] counts bin first_ + i
  std::size_t first_ = 0;
  std::uint64_t count_ = 0;
  std::int64_t max_ = 0;
  double sum_ = 0;
};

}  // namespace levee::load
