#pragma once
// Log-bucketed latency histogram with a bounded relative error.
//
// Bin i covers (m*g^(i-1), m*g^i] with g = (1+a)/(1-a); a bin is reported as 2*m*g^i/(g+1), which
// is within a (1%) of every value in it, so every percentile is within 1% of the exact one
// (the DDSketch construction). Values at or below m (1 us) share bin 0. Bins are allocated on the
// first record, so the thousands of empty per-bucket histograms of a run cost nothing. Not
// thread-safe: each histogram has one writer; merge() combines them afterwards.

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

 private:
  std::vector<std::uint64_t> bins_;
  std::uint64_t count_ = 0;
  std::int64_t max_ = 0;
  double sum_ = 0;
};

}  // namespace levee::load
