#!/usr/bin/python3
"""Open-loop gRPC load for bench/grpc/run.sh: calls start on a fixed schedule whatever the
answers do (a closed loop would slow down with the service and hide the overload).

Usage: load.py TARGET CAPACITY_PER_S SLEEP_MS [--idle S] [--spike S] [--after S] [--factor X]

Phases: idle at 0.5x capacity, spike at FACTOR x (3), after at 0.5x again. Each call is
Slow(SLEEP_MS) with a deadline of 20x SLEEP_MS (a caller's patience). Prints:
  idle_p99_ms, goodput_pct (OK answers to calls started in the spike, per second, as % of
  capacity), resource_exhausted (count, all phases), other_errors, recovery_s (from the
  spike's end to the first 100 ms window whose calls' p99 is under 2x idle p99, with every
  later window also under it).
"""
import argparse
import threading
import time

import grpc


def p99(values):
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("target")
    parser.add_argument("capacity", type=float)
    parser.add_argument("sleep_ms", type=int)
    parser.add_argument("--idle", type=float, default=3)
    parser.add_argument("--spike", type=float, default=4)
    parser.add_argument("--after", type=float, default=4)
    parser.add_argument("--factor", type=float, default=3)
    parser.add_argument("--debug", action="store_true")
    args = parser.parse_args()
    debug = args.debug

    identity = lambda b: b
    channel = grpc.insecure_channel(args.target, options=[("grpc.enable_retries", 0)])
    grpc.channel_ready_future(channel).result(timeout=10)
    call = channel.unary_unary("/levee.Test/Slow", identity, identity)
    request = str(args.sleep_ms).encode()
    deadline = args.sleep_ms * 20 / 1000.0

    results = []  # (start offset s, latency s, code name)
    lock = threading.Lock()
    pending = threading.Semaphore(0)
    phases = [(0.5, args.idle), (args.factor, args.spike), (0.5, args.after)]
    total = 0

    def record(start, future):
        latency = time.monotonic() - start
        code = future.code().name if future.code() is not None else "UNKNOWN"
        if code not in ("OK", "RESOURCE_EXHAUSTED") and debug:
            print("debug", code, "%.3f" % (start - t0), "%.3f" % latency, future.details(), flush=True)
        with lock:
            results.append((start - t0, latency, code))
        pending.release()

    t0 = time.monotonic()
    next_at = t0
    phase_start = t0
    for factor, duration in phases:
        interval = 1.0 / (args.capacity * factor)
        phase_end = phase_start + duration
        while next_at < phase_end:
            now = time.monotonic()
            if next_at > now:
                time.sleep(next_at - now)
            start = time.monotonic()
            future = call.future(request, timeout=deadline)
            future.add_done_callback(lambda f, s=start: record(s, f))
            total += 1
            next_at += interval
        phase_start = phase_end
    for _ in range(total):
        pending.acquire(timeout=deadline + 5)
    channel.close()

    idle_end, spike_end = args.idle, args.idle + args.spike
    idle = [lat for s, lat, code in results if s < idle_end and code == "OK"]
    idle_p99 = p99(idle) or 0
    spike_ok = sum(1 for s, lat, code in results if idle_end <= s < spike_end and code == "OK")
    goodput = spike_ok / args.spike / args.capacity * 100
    exhausted = sum(1 for _, _, code in results if code == "RESOURCE_EXHAUSTED")
    other = sum(1 for _, _, code in results if code not in ("OK", "RESOURCE_EXHAUSTED"))
    # Latency of what the callers got after the spike, in 100 ms windows by start time.
    windows = {}
    for s, lat, code in results:
        if s >= spike_end:
            windows.setdefault(int((s - spike_end) * 10), []).append(lat if code == "OK" else float("inf"))
    recovery = None
    for index in sorted(windows):
        if all(p99(windows[later]) < 2 * idle_p99 for later in windows if later >= index):
            recovery = index / 10
            break
    print("calls %d" % total)
    print("idle_p99_ms %.1f" % (idle_p99 * 1000))
    print("goodput_pct %.1f" % goodput)
    print("resource_exhausted %d" % exhausted)
    codes = {}
    for _, _, code in results:
        if code not in ("OK", "RESOURCE_EXHAUSTED"):
            codes[code] = codes.get(code, 0) + 1
    print("other_errors %d %s" % (other, " ".join("%s=%d" % kv for kv in sorted(codes.items()))))
    print("recovery_s %s" % ("%.1f" % recovery if recovery is not None else "none"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
