#!/usr/bin/env bash
# bench/limits/real_limits.sh: issue 12's limit criteria on real processes, with levee's default
# limit kind (knee) and no threshold configured:
#   sustained  4 workers x 10 ms (C = 400 req/s), impatient callers at 3x C for 3 minutes:
#              where the limit stays (criterion: within [W, 1.3 W]) and the goodput / C
#   large      200 workers x 200 ms (C = 1000 req/s), callers at 1.5x C: how long the limit
#              takes from its initial 32 to 90% of the 200 slots (criterion: within 10 s)
#   halved     8 workers x 10 ms (C = 800 req/s) at 1.5x; at 10 s the backend drops to 4
#              workers (POST /control/workers): how long until the limit stays within
#              [W, 1.3 W] = [4, 5] for 2 s (criterion: within 5 s)
#   doubled    4 workers x 10 ms (C = 400 req/s) at 3x; at 12 s the backend grows to 8
#              workers: how long until the limit stays within [8, 10] for 2 s (within 5 s)
# The scenarios are the simulator's (bench/limits/sim/scenario.cpp). The limit is read from
# /state every 0.5 s. About 5 minutes.
#   bench/limits/real_limits.sh [--build-dir build/release] [--out build/bench-real-limits]
#                               [--sustain 180s] [--only sustained|large|halved|doubled]
set -euo pipefail
cd "$(dirname "$0")/../.."
build=build/release out=build/bench-real-limits sustain=180 only=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --build-dir) build=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --sustain) sustain=${2%s}; shift 2 ;;
    --only) only=$2; shift 2 ;;
    *) echo "usage: $0 [--build-dir DIR] [--out DIR] [--sustain SECONDS] [--only sustained|large|halved|doubled]" >&2; exit 2 ;;
  esac
done
levee=$build/proxy/levee load=$build/loadtest/levee-load
mkdir -p "$out"
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done' EXIT

. bench/lib/processes.sh

run() {  # name workers service-ms capacity rate seconds retry-mode [change-at-s new-workers]
  local name=$1 workers=$2 service=$3 capacity=$4 rate=$5 seconds=$6 retry=$7 change_at=${8:-} new_workers=${9:-}
  [[ -n $only && $only != "$name" ]] && return
  "$load" backend --listen 127.0.0.1:0 --workers "$workers" --service-time "${service}ms" >"$out/$name-backend.log" 2>&1 &
  pids+=("$!")
  local baddr; baddr=$(wait_for "$out/$name-backend.log" "listening on")
  printf 'listener: {address: 127.0.0.1:0}\nadmin: {address: 127.0.0.1:0}\nupstreams: [{name: service, address: "%s"}]\n' \
    "$baddr" >"$out/$name-levee.yaml"
  "$levee" --config "$out/$name-levee.yaml" >"$out/$name-levee.log" 2>&1 &
  pids+=("$!")
  local target; target="http://$(wait_for "$out/$name-levee.log" "proxy listening on")/work"
  local admin; admin=$(wait_for "$out/$name-levee.log" "admin listening on")
  cat >"$out/$name.yaml" <<YAML
name: $name
capacity: $capacity
client: {timeout: 1s, deadline: 3s, keep_alive: true, max_connections: 8000}
retry: {mode: $retry, max_retries: 2}
phases:
  - {name: load, role: other, rate: ${rate}x, duration: ${seconds}s}
YAML
  local start; start=$(date +%s.%N)
  poll_limit "$admin" "$seconds" "$out/$name-limit.txt" "$start"
  local poller=$!
  pids+=("$poller")
  if [[ -n $change_at ]]; then
    # On the poller's clock: the change happens change_at seconds after `start`.
    (sleep "$(python3 -c "import time; print(max(0, $start + $change_at - time.time()))")" &&
       curl -fsS -X POST "http://$baddr/control/workers?n=$new_workers" >/dev/null) &
    pids+=("$!")
  fi
  "$load" run -q --profile "$out/$name.yaml" --target "$target" --label "$name" --max-lag 20ms \
    --json "$out/$name.json" >"$out/$name.txt" 2>&1 || true
  wait "$poller" 2>/dev/null || true
  echo "[real-limits] $name done" >&2
}

run sustained 4 10 400 3 "$sustain" impatient
run large 200 200 1000 1.5 30 none
run halved 8 10 800 1.5 25 impatient 10 4
run doubled 4 10 400 3 27 impatient 12 8

python3 - "$out" <<'PY'
import json, os, sys
out = sys.argv[1]
def limits(name):
    path = os.path.join(out, name + "-limit.txt")
    return [(float(t), int(l)) for t, l in (line.split() for line in open(path) if line.strip())] if os.path.exists(path) else []
def goodput(name):
    r = json.load(open(os.path.join(out, name + ".json")))
    return r["total"]["goodput"] / (r["phases"][0]["end_s"] - r["phases"][0]["start_s"]) / r["capacity"]
if os.path.exists(os.path.join(out, "sustained.json")):
    samples = [l for t, l in limits("sustained") if t >= 10]
    if samples:
        inside = sum(4 <= l <= 5.2 for l in samples) / len(samples)
        print(f"sustained 3x: limit {min(samples)}-{max(samples)} after the first 10 s, {inside * 100:.0f}% of samples within [W, 1.3 W] = [4, 5]; goodput {goodput('sustained') * 100:.1f}% of C")
if os.path.exists(os.path.join(out, "large.json")):
    samples = limits("large")
    reached = next((t for t, l in samples if l >= 180), None)
    found = "never" if reached is None else f"{reached:.1f} s"
    print(f"large (200 slots): limit 32 -> 180 (0.9 W) in {found}; limit at the end {samples[-1][1] if samples else '-'}; goodput {goodput('large') * 100:.1f}% of C")
def followed(samples, at, workers):
    # The first time after `at` from which the limit stays within [W, 1.3 W] for 2 s.
    after = [(t, l) for t, l in samples if t >= at]
    for i, (t, _) in enumerate(after):
        window = [l for u, l in after[i:] if u <= t + 2]
        if after[-1][0] >= t + 2 and all(workers <= l <= 1.3 * workers for l in window):
            return t - at
    return None
for name, at, workers in (("halved", 10, 4), ("doubled", 12, 8)):
    samples = limits(name)
    if not samples:
        continue
    f = followed(samples, at, workers)
    during = [l for t, l in samples if at + 5 <= t]
    print(f"{name} (W -> {workers} at {at} s): limit within [{workers}, {1.3 * workers:.1f}] for 2 s "
          f"{'never' if f is None else f'{f:.1f} s'} after the change (<= 5 s); limit from 5 s after it "
          f"{min(during) if during else '-'}-{max(during) if during else '-'}")
PY
