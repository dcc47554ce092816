#pragma once
// A Random that returns what the test scripted: a queue of uniform() values (exact for
// multiples of 2^-53, e.g. 0.0, 0.25, 0.5, 0.75), then a constant. Lets tests pin jitter.
//
// Thread safety: none; one test thread.

#include <cstdint>
#include <deque>

#include "proxy/policy/random.h"

namespace levee::testing {

class FakeRandom final : public policy::Random {
 public:
  explicit FakeRandom(double constant = 0.5) : constant_(constant) {}

  // The next uniform() calls return these, in order (each in [0, 1)).
  void push(double uniform) { script_.push_back(uniform); }
  void set_constant(double uniform) { constant_ = uniform; }

  std::uint64_t next_u64() override {
    double value = constant_;
    if (!script_.empty()) {
      value = script_.front();
      script_.pop_front();
    }
    return static_cast<std::uint64_t>(value * 0x1.0p53) << 11;
  }

 private:
  std::deque<double> script_;
  double constant_;
};

}  // namespace levee::testing
