// bench/admission: the overload guard's own cost, without sockets.
//
// An admit/release pair is what every request pays when the group is below its limit (the
// common case): one compare-and-swap to admit, one decrement (plus counters) to release. The
// figures are compared with a bare atomic increment/decrement pair measured in the same run,
// so the ratio survives a noisy machine. Run: build/release/bench/admission/admission_bench
#include <benchmark/benchmark.h>

#include <atomic>
#include <vector>

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

// ---- fair admission -------------------------------------------------------------------------
// With a flow key every admission and release also counts the request against its flow, under
// the group's mutex. `tenants`: how many distinct keys the requests cycle through (each key
// comes back, so each has a flow of its own); `rotating`: every request a key never seen
// before (the doorkeeper's path: all of them share the new-keys flow).

AdmissionSettings fair_settings(std::uint32_t limit, std::uint32_t recent_keys = 131072) {
  AdmissionSettings settings = fixed_settings(limit);
  settings.fairness.key = {FlowKeySource{FlowKeyPart::header, "X-Tenant"}};
  settings.fairness.recent_keys = recent_keys;
  return settings;
}

void BM_AdmitReleaseFair(benchmark::State& state) {
  static const TimePoint start = std::chrono::steady_clock::now();
  static Admission group(fair_settings(1'000'000), start);
  const auto tenants = static_cast<std::uint64_t>(state.range(0));
  const TimePoint now = std::chrono::steady_clock::now();
  Ticket ticket;
  ticket.id = static_cast<TicketId>(state.thread_index()) << 40;
  ticket.flow_label = "tenant";
  std::uint64_t n = static_cast<std::uint64_t>(state.thread_index()) << 40;
  for (auto _ : state) {
    ++ticket.id;
    ++n;
    // tenants == 0: a fresh key every time.
    ticket.flow = (tenants == 0 ? n : n % tenants) * 0x9e3779b97f4a7c15ULL + 2;
    const Decision decision = group.try_admit(ticket, now);
    if (!decision.admitted()) state.SkipWithError("not admitted below the limit");
    benchmark::DoNotOptimize(group.release(decision.permit, Outcome::success, now));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_AdmitReleaseFair)->ArgName("tenants")->Arg(16)->Arg(10'000)->Threads(1)->Threads(2);
BENCHMARK(BM_AdmitReleaseFair)->Name("BM_AdmitReleaseFair/rotating_keys")->Arg(0)->Threads(1)->Threads(2);

// The same pair while 10^6 flows each hold a request in flight: the flow table at a million
// live entries (far beyond what a limit of a few hundred can hold; the bound is the worst case).
void BM_AdmitReleaseFairMillionLive(benchmark::State& state) {
  constexpr std::uint64_t live = 1'000'000;
  static const TimePoint start = std::chrono::steady_clock::now();
  static Admission group(fair_settings(2 * live, 4 * live), start);
  static const bool filled = [] {
    Ticket ticket;
    for (int pass = 0; pass < 2; ++pass) {  // the first pass makes each key known
      for (std::uint64_t k = 0; k < live; ++k) {
        ticket.id = pass * live + k + 1;
        ticket.flow = k * 0x9e3779b97f4a7c15ULL + 2;
        const Decision decision = group.try_admit(ticket, start);
        if (pass == 0) group.release(decision.permit, Outcome::ignored, start);
      }
    }
    return true;
  }();
  benchmark::DoNotOptimize(filled);
  const TimePoint now = std::chrono::steady_clock::now();
  Ticket ticket;
  ticket.id = 1ULL << 40;
  std::uint64_t n = 0;
  for (auto _ : state) {
    ++ticket.id;
    ticket.flow = (++n % live) * 0x9e3779b97f4a7c15ULL + 2;
    const Decision decision = group.try_admit(ticket, now);
    if (!decision.admitted()) state.SkipWithError("not admitted below the limit");
    benchmark::DoNotOptimize(group.release(decision.permit, Outcome::success, now));
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["flows_active"] = static_cast<double>(group.snapshot(now).flows_active);
}
BENCHMARK(BM_AdmitReleaseFairMillionLive);

// A contended group: at its limit with a standing queue, each iteration a release (which
// grants the next waiter) and an arrival (which queues). Fair or not: the queue's own cost.
template <bool fair>
void BM_ContendedTurnover(benchmark::State& state) {
  const TimePoint now = std::chrono::steady_clock::now();
  AdmissionSettings settings = fair ? fair_settings(64) : fixed_settings(64);
  settings.queue.max_length = 256;
  settings.queue.max_wait = std::chrono::hours(1);
  settings.queue.codel_target = Duration::zero();
  Admission group(settings, now);
  std::vector<Permit> held;
  Ticket ticket;
  auto arrive = [&] {
    ++ticket.id;
    ticket.flow = (ticket.id % 50) * 0x9e3779b97f4a7c15ULL + 2;  // 50 tenants
    const Decision decision = group.try_admit(ticket, now);
    if (decision.admitted()) held.push_back(decision.permit);
  };
  for (int i = 0; i < 64 + 128; ++i) arrive();
  std::size_t next = 0;
  for (auto _ : state) {
    const Permit permit = held[next];
    const Effects effects = group.release(permit, Outcome::success, now);
    held[next] = effects.granted.empty() ? Permit{} : effects.granted.front();
    next = (next + 1) % held.size();
    arrive();
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ContendedTurnover<false>)->Name("BM_ContendedTurnover/one_flow");
BENCHMARK(BM_ContendedTurnover<true>)->Name("BM_ContendedTurnover/fair_50_tenants");

}  // namespace

BENCHMARK_MAIN();
