#!/usr/bin/env bash
# bench/guard: the overload guard's acceptance scenarios, measured with levee-load.
#
# Backend: 4 workers x 10 ms (capacity C = 400 req/s). Callers: impatient users, 1 s timeout,
# 2 immediate retries. Profile: baseline 0.5C, ramp to PEAK x C, hold 20 s, back to 0.5C.
# Scenarios (each against a fresh backend, so no run inherits another's backlog):
#   direct          no proxy: the service collapses
#   haproxy[-wait5s] the peer, measured in the same run (if installed): server maxconn = W,
#                   timeout queue 500 ms, half the callers' patience, as a tuned operator sets it
#                   (5 s: misconfigured). At 1 s it serves only requests whose callers just left.
#   fixed           levee, fixed limit = workers
#   fixed-wait5s    the same with queue.max_wait misconfigured to 5 s (callers give up at 1 s)
#   gradient        levee with the default adaptive limit and no threshold
#   knee            levee with the limit that tells a slower service from a queue
#   fixed-200       a fixed limit mis-set far above the service (its own queue holds the excess)
#   fixed-5x/10x    fixed limit at 5C and 10C peaks: the guard must not collapse itself
# Prints one table; JSON/HTML reports stay in --out. About 5 minutes.
#   bench/guard/run.sh [--build-dir build/release] [--out build/bench-guard] [--only NAME...]
set -euo pipefail
cd "$(dirname "$0")/../.."
build=build/release out=build/bench-guard only=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --build-dir) build=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --only) only+=("$2"); shift 2 ;;
    *) echo "usage: $0 [--build-dir DIR] [--out DIR] [--only SCENARIO]..." >&2; exit 2 ;;
  esac
done
levee=$build/proxy/levee load=$build/loadtest/levee-load workers=4 capacity=400
mkdir -p "$out"
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done' EXIT

profile() {  # $1 = peak multiple
  cat >"$out/profile-$1x.yaml" <<YAML
name: guard-$1x
capacity: $capacity
client: {timeout: 1s, deadline: 3s, keep_alive: true, max_connections: 12000}
retry: {mode: impatient, max_retries: 2}
recovery: {window: 2s, tolerance: 0.95, hold: 3s}
phases:
  - {name: warmup,   role: warmup,   rate: 0.5x, duration: 2s}
  - {name: baseline, role: baseline, rate: 0.5x, duration: 5s}
  - {name: ramp,     role: overload, rate: $1x,   duration: 2s, ramp: true}
  - {name: hold,     role: overload, rate: $1x,   duration: 20s}
  - {name: recover,  role: recovery, rate: 0.5x, duration: 12s}
YAML
  echo "$out/profile-$1x.yaml"
}

wait_for() {  # log pattern -> the address after it
  for _ in $(seq 100); do
    local a; a=$(grep -o "$2 [0-9.:]*" "$1" | head -1 | awk '{print $NF}') || true
    [[ -n $a ]] && { echo "$a"; return; }; sleep 0.1
  done
  echo "timed out waiting for '$2' in $1" >&2; exit 1
}

scenario() {  # name peak admission-yaml (empty: direct)
  local name=$1 peak=$2 admission=$3
  if [[ ${#only[@]} -gt 0 && ! " ${only[*]} " == *" $name "* ]]; then return; fi
  "$load" backend --listen 127.0.0.1:0 --workers $workers --service-time 10ms >"$out/$name-backend.log" 2>&1 &
  local backend=$!; pids+=("$backend")
  local baddr; baddr=$(wait_for "$out/$name-backend.log" "listening on")
  local target="http://$baddr/work" lv=""
  if [[ $admission == haproxy:* ]]; then
    # The peer: HAProxy's per-server maxconn = W with a queue bounded by "timeout queue".
    local hport; hport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    cat >"$out/$name-haproxy.cfg" <<CFG
global
    nbthread 2
    maxconn 8000
defaults
    mode http
    option http-keep-alive
    option abortonclose
    timeout connect 1s
    timeout client 60s
    timeout server 30s
    timeout queue ${admission#haproxy:}
frontend guard
    bind 127.0.0.1:$hport
    default_backend service
backend service
    server backend $baddr maxconn $workers
CFG
    (ulimit -n "$(ulimit -Hn)"; exec haproxy -db -f "$out/$name-haproxy.cfg") >"$out/$name-haproxy.log" 2>&1 &
    lv=$!; pids+=("$lv")
    for _ in $(seq 50); do (echo >/dev/tcp/127.0.0.1/$hport) 2>/dev/null && break; sleep 0.1; done
    target="http://127.0.0.1:$hport/work"
  elif [[ -n $admission ]]; then
    printf 'listener: {address: 127.0.0.1:0}\nadmin: {address: 127.0.0.1:0}\nupstreams: [{name: service, address: "%s"}]\nadmission:\n%s' \
      "$baddr" "$admission" >"$out/$name-levee.yaml"
    "$levee" --config "$out/$name-levee.yaml" >"$out/$name-levee.log" 2>&1 &
    lv=$!; pids+=("$lv")
    target="http://$(wait_for "$out/$name-levee.log" "proxy listening on")/work"
    local admin; admin=$(wait_for "$out/$name-levee.log" "admin listening on")
    # The limit as it moves, every 0.5 s: where it settles during the hold is what counts, not
    # where it drifted after the spike (an adaptive limit grows back while the load is light).
    python3 - "$admin" >"$out/$name-limit.txt" 2>/dev/null <<'PY' &
import json, sys, time, urllib.request
start = time.monotonic()
while time.monotonic() - start < 46:
    try:
        state = json.load(urllib.request.urlopen(f"http://{sys.argv[1]}/state", timeout=1))
        print(f"{time.monotonic() - start:.2f} {state['groups'][0]['limit']}", flush=True)
    except OSError:
        pass
    time.sleep(0.5)
PY
    pids+=("$!")
  fi
  "$load" run -q --profile "$(profile "$peak")" --target "$target" --label "$name" \
    --json "$out/$name.json" --html "$out/$name.html" >"$out/$name.txt" 2>&1 || true
  [[ -n $lv && $admission != haproxy:* ]] && curl -s "http://$admin/state" >"$out/$name-state.json" || true
  [[ -n $lv ]] && kill "$lv" 2>/dev/null || true
  kill "$backend" 2>/dev/null || true
  wait 2>/dev/null || true
  echo "[guard] $name done" >&2
}

fixed="  limit: {kind: fixed, initial: $workers}\n"
scenario direct 3 ""
if command -v haproxy >/dev/null; then
  scenario haproxy 3 "haproxy:500ms"
  scenario haproxy-wait5s 3 "haproxy:5s"
fi
scenario fixed 3 "$(printf "$fixed")"$'\n'
scenario fixed-wait5s 3 "$(printf "$fixed  queue: {max_wait: 5s}")"$'\n'
scenario gradient 3 "  enabled: true"$'\n'
scenario knee 3 "  limit: {kind: knee}"$'\n'
# The mistake examples/fixed-limit.yaml invites: a fixed limit far above what the service runs,
# so the queue is inside the service. Only callers' abandonment (levee_abandoned_total) shows it.
scenario fixed-200 3 "  limit: {kind: fixed, initial: 200}"$'\n'
scenario fixed-5x 5 "$(printf "$fixed")"$'\n'
scenario fixed-10x 10 "$(printf "$fixed")"$'\n'

python3 - "$out" <<'PY'
import glob, json, os, sys
out = sys.argv[1]
print(f"{'scenario':14}{'verdict':>9}{'hold goodput/C':>16}{'recovery':>10}{'late/good':>11}{'shed p99':>10}{'p99 after':>11}{'limit in hold':>15}")
for name in ["direct", "haproxy", "haproxy-wait5s", "fixed", "fixed-wait5s", "gradient", "knee", "fixed-200", "fixed-5x", "fixed-10x"]:
    path = os.path.join(out, name + ".json")
    if not os.path.exists(path): continue
    r = json.load(open(path))
    hold = next(p for p in r["phases"] if p["name"] == "hold")
    m = r["metrics"]
    good = r["total"]["goodput"] or 1
    rec = "never" if m.get("recovery_time") is None else f"{m['recovery_time']:.2f}s"
    # The last 10 s of the hold, which runs from 9 s to 29 s.
    limit = "-"
    lp = os.path.join(out, name + "-limit.txt")
    if os.path.exists(lp):
        samples = [line.split() for line in open(lp) if line.strip()]
        hold_limits = sorted(int(l) for t, l in samples if 19 <= float(t) <= 29)
        if hold_limits:
            limit = f"{hold_limits[0]}-{hold_limits[-1]}"
    print(f"{name:14}{r['verdict']:>9}{hold['goodput_per_s']/r['capacity']*100:>15.1f}%{rec:>10}"
          f"{r['total']['late']/good*100:>10.2f}%{hold['stats']['shed_p99_ms']:>8.1f}ms"
          f"{(m.get('recovery_p99') or 0)*1000:>9.0f}ms{limit:>15}")
PY
