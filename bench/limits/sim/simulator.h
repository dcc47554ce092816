#pragma once
// The limit simulator: one policy::Admission (the real class, with its limit, queue, retry
// budget and collapse detector) in front of a simulated service, driven by a discrete-event
// clock. No sockets, no threads, no real time: a run is a deterministic function of the
// scenario, the settings and the seed, and a minute of traffic takes milliseconds.
//
// What the plumbing does in levee, the simulator does here: it calls try_admit() per attempt,
// delivers every Effects (grants and sheds), cancel()s a queued ticket whose caller left,
// calls on_tick() every 10 ms, and releases each permit once with the outcome the http layer
// reports -- success, dropped (a 5xx), or abandoned (the caller left first: at that moment
// when levee aborts the exchange, else when the late answer arrives).

#include <cstdint>

#include "bench/limits/sim/run.h"
#include "bench/limits/sim/scenario.h"
#include "proxy/policy/settings.h"

namespace levee::sim {

Run simulate(const Scenario& scenario, const policy::AdmissionSettings& settings, std::uint64_t seed);

}  // namespace levee::sim
