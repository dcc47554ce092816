#pragma once
// The simulator's randomness: std::mt19937_64 (whose output the standard fixes) with the
// distributions written out here, because std::*_distribution may differ between standard
// libraries and the regression test must not.

#include <cmath>
#include <cstdint>
#include <numbers>
#include <random>

namespace levee::sim {

class SimRandom {
 public:
  explicit SimRandom(std::uint64_t seed) : engine_(seed) {}

  // Uniform in [0, 1).
  double uniform() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }
  bool chance(double p) { return uniform() < p; }
  // Exponential with the given mean.
  double exponential(double mean) { return -mean * std::log1p(-uniform()); }
  // Standard normal (Box-Muller; the second value is discarded for simplicity).
  double normal() {
    const double u1 = 1.0 - uniform();  // (0, 1]
    const double u2 = uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
  }
  // Log-normal with the given median and sigma of the log.
  double lognormal(double median, double sigma) { return median * std::exp(sigma * normal()); }

 private:
  std::mt19937_64 engine_;
};

}  // namespace levee::sim
