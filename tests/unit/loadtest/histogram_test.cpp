#include "stats/histogram.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

namespace levee::load {
namespace {

double exact_percentile(std::vector<std::int64_t> v, double q) {
  std::sort(v.begin(), v.end());
  auto rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(v.size())));
  return static_cast<double>(v[std::max<std::size_t>(rank, 1) - 1]);
}

TEST(Histogram, PercentilesHaveBoundedRelativeError) {
  std::mt19937_64 rng(42);
  std::lognormal_distribution<double> dist(std::log(5e6), 1.5);  // median 5 ms, long tail
  std::vector<std::int64_t> values;
  Histogram h;
  for (int i = 0; i < 100000; ++i) {
    auto v = std::max<std::int64_t>(Histogram::min_ns + 1, static_cast<std::int64_t>(dist(rng)));
    values.push_back(v);
    h.record(v);
  }
  for (double q : {0.01, 0.25, 0.5, 0.9, 0.99, 0.999}) {
    double exact = exact_percentile(values, q);
    double got = static_cast<double>(h.percentile(q).count());
    EXPECT_LE(std::abs(got - exact) / exact, Histogram::relative_error + 1e-9) << "q=" << q;
  }
  EXPECT_EQ(h.percentile(1.0).count(), *std::max_element(values.begin(), values.end()));
}

TEST(Histogram, EveryBinRepresentsItsValuesWithinTheBound) {
  for (std::int64_t v = Histogram::min_ns + 1; v < 100'000'000'000; v = v * 1013 / 1000 + 1) {
    double rep = static_cast<double>(Histogram::value_of(Histogram::bin_of(v)));
    EXPECT_LE(std::abs(rep - static_cast<double>(v)) / static_cast<double>(v),
              Histogram::relative_error + 1e-9) << v;
  }
}

TEST(Histogram, MergeEqualsRecordingEverything) {
  Histogram a, b, all;
  for (std::int64_t v = 1000; v < 10'000'000; v += 9973) {
    (v % 2 ? a : b).record(v);
    all.record(v);
  }
  a.merge(b);
  EXPECT_EQ(a.count(), all.count());
  for (double q : {0.5, 0.9, 0.99}) EXPECT_EQ(a.percentile(q), all.percentile(q));
}

// A long run keeps two histograms per 100 ms bucket: each keeps only the bins its values span.
TEST(Histogram, KeepsOnlyTheBinsBetweenItsSmallestAndLargestValue) {
  Histogram h;
  h.record(5'000'000);
  EXPECT_EQ(h.kept_bins(), 1u);
  for (std::int64_t v = 1'000'000; v <= 20'000'000; v += 100'000) h.record(v);  // 1 ms .. 20 ms
  EXPECT_EQ(h.kept_bins(), Histogram::bin_of(20'000'000) - Histogram::bin_of(1'000'000) + 1);
  EXPECT_LT(h.kept_bins(), Histogram::bin_count() / 5);
  // 192 values; the 96th is 10.4 ms: within the 1% bound.
  EXPECT_NEAR(static_cast<double>(h.percentile(0.5).count()), 10'400'000.0, 10'400'000.0 * Histogram::relative_error);
}

TEST(Histogram, MergeOfDisjointAndOverlappingRangesEqualsRecordingEverything) {
  Histogram low, high, middle, all;
  for (std::int64_t v = 2'000; v < 50'000; v += 997) { low.record(v); all.record(v); }
  for (std::int64_t v = 5'000'000'000; v < 9'000'000'000; v += 99'991'000) { high.record(v); all.record(v); }
  for (std::int64_t v = 30'000; v < 90'000'000; v += 99'991) { middle.record(v); all.record(v); }
  Histogram merged;
  merged.merge(high);    // into an empty one
  merged.merge(low);     // below what it holds
  merged.merge(middle);  // overlapping, inside
  EXPECT_EQ(merged.count(), all.count());
  EXPECT_EQ(merged.kept_bins(), all.kept_bins());
  for (double q : {0.0, 0.01, 0.3, 0.5, 0.9, 0.99, 0.999, 1.0}) EXPECT_EQ(merged.percentile(q), all.percentile(q)) << q;
  EXPECT_EQ(merged.max(), all.max());
}

TEST(Histogram, EmptyIsZeroAndCheap) {
  Histogram h;
  EXPECT_TRUE(h.empty());
  EXPECT_EQ(h.percentile(0.99).count(), 0);
  EXPECT_EQ(h.mean().count(), 0);
  EXPECT_EQ(h.kept_bins(), 0u);
}

}  // namespace
}  // namespace levee::load
