#include "schedule/merged_arrivals.h"

#include <cmath>

namespace levee::load {

MergedArrivals::MergedArrivals(const std::vector<const Schedule*>& schedules, ArrivalKind kind, unsigned thread,
                               unsigned threads, std::uint64_t seed) {
  constexpr double golden = 0.6180339887498949;
  sequences_.reserve(schedules.size());
  for (std::size_t i = 0; i < schedules.size(); ++i) {
    const double offset = std::fmod(static_cast<double>(i) * golden, 1.0);  // flow 0: none, as a run without flows
    sequences_.emplace_back(*schedules[i], kind, thread, threads, seed + i * 0x2545f4914f6cdd1dULL, offset);
    expected_ += schedules[i]->total_count() / threads;
  }
  for (std::size_t i = 0; i < sequences_.size(); ++i) push_next(static_cast<std::uint16_t>(i));
}

void MergedArrivals::push_next(std::uint16_t flow) {
  if (const auto t = sequences_[flow].next()) due_.push(Due{t->count(), flow});
}

std::optional<FlowArrival> MergedArrivals::next() {
  if (due_.empty()) return std::nullopt;
  const Due due = due_.top();
  due_.pop();
  push_next(due.flow);
  return FlowArrival{Nanos{due.at_ns}, due.flow};
}

}  // namespace levee::load
