#pragma once
// A constant limit: the operator's threshold. Samples are ignored, which is the point: the
// limit is exactly what the operator measured the service can take.
//
// Thread safety: immutable after construction.

#include <algorithm>
#include <cstdint>

#include "proxy/policy/limit.h"

namespace levee::policy {

class FixedLimit final : public Limit {
 public:
  explicit FixedLimit(std::uint32_t limit) : limit_(std::max<std::uint32_t>(limit, 1)) {}

  std::uint32_t current() const override { return limit_; }
  void on_sample(const Sample&) override {}

 private:
  std::uint32_t limit_;
};

}  // namespace levee::policy
