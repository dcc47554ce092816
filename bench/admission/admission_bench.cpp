// bench/admission: the overload guard's own cost, without sockets.
//
// An admit/release pair is what every request pays when the group is below its limit (the
// common case): one compare-and-swap to admit, one decrement (plus counters) to release. The
// figures are compared with a bare atomic increment/decrement pair measured in the same run,
// so the ratio survives a noisy machine. Run: build/release/bench/admission/admission_bench
#include <benchmark/benchmark.h>

#include <atomic>

#include "proxy/policy/admission.h"
#include "proxy/policy/clock.h"

namespace {

using namespace levee::policy;

AdmissionSettings fixed_settings(std::uint32_t limit) {
  AdmissionSettings settings;
  settings.limit.kind = LimitKind::fixed;
  settings.limit.initial = limit;
  settings.collapse.enabled = false;
  return settings;
}

// The floor: the cheapest possible in-flight accounting.
void BM_AtomicPairBaseline(benchmark::State& state) {
  static std::atomic<std::uint32_t> in_flight{0};
  for (auto _ : state) {
    in_flight.fetch_add(1, std::memory_order_acq_rel);
    benchmark::DoNotOptimize(in_flight.load(std::memory_order_relaxed));
    in_flight.fetch_sub(1, std::memory_order_acq_rel);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_AtomicPairBaseline)->Threads(1)->Threads(2);

AdmissionSettings gradient_settings() {
  // Bounds far above what the benchmark holds in flight: the adaptive path (samples, windows)
  // runs, but the limit never rejects.
  AdmissionSettings settings;
  settings.limit.kind = LimitKind::gradient;
  settings.limit.initial = 100'000;
  settings.limit.min = 100'000;
  settings.limit.max = 1'000'000;
  settings.collapse.enabled = false;
  return settings;
}

// One admission group shared by the benchmark threads, as the proxy's workers share one.
Admission& shared_group(LimitKind kind) {
  static const TimePoint start = std::chrono::steady_clock::now();
  static Admission fixed(fixed_settings(1'000'000), start);
  static Admission gradient(gradient_settings(), start);
  return kind == LimitKind::fixed ? fixed : gradient;
}

template <LimitKind kind>
void BM_AdmitRelease(benchmark::State& state) {
  Admission& group = shared_group(kind);
  const TimePoint now = std::chrono::steady_clock::now();
  Ticket ticket;
  ticket.id = static_cast<TicketId>(state.thread_index()) << 40;
  for (auto _ : state) {
    ++ticket.id;
    const Decision decision = group.try_admit(ticket, now);
    if (!decision.admitted()) state.SkipWithError("not admitted below the limit");
    benchmark::DoNotOptimize(group.release(decision.permit, Outcome::success, now));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_AdmitRelease<LimitKind::fixed>)->Name("BM_AdmitRelease/fixed")->Threads(1)->Threads(2);
BENCHMARK(BM_AdmitRelease<LimitKind::gradient>)->Name("BM_AdmitRelease/gradient")->Threads(1)->Threads(2);

}  // namespace

BENCHMARK_MAIN();
