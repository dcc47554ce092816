#include "schedule/arrivals.h"

namespace levee::load {

ArrivalSequence::ArrivalSequence(const Schedule& schedule, ArrivalKind kind, unsigned thread,
                                 unsigned threads, std::uint64_t seed, double offset)
    : schedule_(schedule),
      kind_(kind),
      threads_(threads),
      u_(static_cast<double>(thread) + offset),
      rng_(seed * 0x9e3779b97f4a7c15ULL + thread) {
  if (kind_ == ArrivalKind::poisson) u_ = static_cast<double>(threads_) * exponential_(rng_);
}

std::optional<Nanos> ArrivalSequence::next() {
  auto t = schedule_.time_of(u_);
  if (!t) return std::nullopt;
  u_ += kind_ == ArrivalKind::uniform ? static_cast<double>(threads_)
                                      : static_cast<double>(threads_) * exponential_(rng_);
  return t;
}

}  // namespace levee::load
