#!/usr/bin/env bash
# bench/limits/real_slowdown.sh: issue 12's slowdown on real processes (the simulator's
# slowdown-x3, for real): a 4-worker levee-load backend whose service time goes from 10 ms to
# 30 ms for 12 s and back, while callers keep coming at 0.8 x the normal capacity -- 2.4 x what
# the slowed service can take. Each limit kind, and HAProxy with maxconn = W, faces the same run:
#   fixed-W    levee with a fixed limit = workers (the reference: what W slots deliver)
#   gradient   levee's gradient limit
#   knee       levee's knee limit (the default)
#   haproxy    server maxconn = W, timeout queue 500 ms (if installed)
# Columns: goodput while slow (from 2 s after the change to its end) as a share of what 4 slowed
# workers can deliver (4 / 30 ms = 133 req/s) and of fixed-W's in the same run; time after the
# service is fast again until goodput is back to 95% of the offered load for 2 s; the limit
# while slow. About 3 minutes.
#   bench/limits/real_slowdown.sh [--build-dir build/release] [--out build/bench-slowdown] [--only NAME]...
set -euo pipefail
cd "$(dirname "$0")/../.."
build=build/release out=build/bench-slowdown only=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --build-dir) build=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --only) only+=("$2"); shift 2 ;;
    *) echo "usage: $0 [--build-dir DIR] [--out DIR] [--only NAME]..." >&2; exit 2 ;;
  esac
done
levee=$build/proxy/levee load=$build/loadtest/levee-load workers=4
normal_ms=10 slow_ms=30 before_s=8 slow_s=12 after_s=10
mkdir -p "$out"
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done' EXIT

cat >"$out/profile.yaml" <<YAML
name: slowdown
capacity: $((workers * 1000 / normal_ms))
client: {timeout: 1s, deadline: 3s, keep_alive: true, max_connections: 4000}
phases:
  - {name: warmup,   role: warmup,   rate: 0.8x, duration: 2s}
  - {name: baseline, role: baseline, rate: 0.8x, duration: $((before_s - 2))s}
  - {name: slow,     role: other,    rate: 0.8x, duration: ${slow_s}s}
  - {name: after,    role: other,    rate: 0.8x, duration: ${after_s}s}
YAML

. bench/lib/processes.sh

run() {  # name admission-yaml | haproxy
  local name=$1 admission=$2
  if [[ ${#only[@]} -gt 0 && ! " ${only[*]} " == *" $name "* ]]; then return; fi
  "$load" backend --listen 127.0.0.1:0 --workers $workers --service-time ${normal_ms}ms >"$out/$name-backend.log" 2>&1 &
  local backend=$!; pids+=("$backend")
  local baddr; baddr=$(wait_for "$out/$name-backend.log" "listening on")
  local target lv="" admin=""
  if [[ $admission == haproxy ]]; then
    local hport; hport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    cat >"$out/$name-haproxy.cfg" <<CFG
global
    maxconn 8000
defaults
    mode http
    option http-keep-alive
    option abortonclose
    timeout connect 1s
    timeout client 60s
    timeout server 30s
    timeout queue 500ms
frontend slowdown
    bind 127.0.0.1:$hport
    default_backend service
backend service
    server backend $baddr maxconn $workers
CFG
    haproxy -db -f "$out/$name-haproxy.cfg" >"$out/$name-haproxy.log" 2>&1 &
    lv=$!; pids+=("$lv")
    for _ in $(seq 50); do (echo >/dev/tcp/127.0.0.1/$hport) 2>/dev/null && break; sleep 0.1; done
    target="http://127.0.0.1:$hport/work"
  else
    printf 'listener: {address: 127.0.0.1:0}\nadmin: {address: 127.0.0.1:0}\nupstreams: [{name: service, address: "%s"}]\nadmission:\n%s\n' \
      "$baddr" "$admission" >"$out/$name-levee.yaml"
    "$levee" --config "$out/$name-levee.yaml" >"$out/$name-levee.log" 2>&1 &
    lv=$!; pids+=("$lv")
    target="http://$(wait_for "$out/$name-levee.log" "proxy listening on")/work"
    admin=$(wait_for "$out/$name-levee.log" "admin listening on")
  fi
  "$load" run -q --profile "$out/profile.yaml" --target "$target" --label "$name" --max-lag 20ms \
    --json "$out/$name.json" --html "$out/$name.html" >"$out/$name.txt" 2>&1 &
  local runner=$!
  # The limit every 0.5 s, from one background poller (its own clock, never delaying the steps).
  if [[ -n $admin ]]; then
    poll_limit "$admin" "$((before_s + slow_s + after_s))" "$out/$name-limit.txt"
    pids+=("$!")
  fi
  # The slowdown, on the backend's clock: the run's phases and these sleeps start together.
  sleep "$before_s"
  curl -fsS -X POST "http://$baddr/control/service-time?ms=$slow_ms" >/dev/null
  sleep "$slow_s"
  curl -fsS -X POST "http://$baddr/control/service-time?ms=$normal_ms" >/dev/null
  wait "$runner" || true
  [[ -n $lv ]] && kill "$lv" 2>/dev/null || true
  kill "$backend" 2>/dev/null || true
  wait 2>/dev/null || true
  echo "[slowdown] $name done" >&2
}

run fixed-W "  limit: {kind: fixed, initial: $workers}"
run gradient "  limit: {kind: gradient}"
run knee "  limit: {kind: knee}"
if command -v haproxy >/dev/null; then run haproxy haproxy; fi

python3 - "$out" "$before_s" "$slow_s" "$workers" "$slow_ms" <<'PY'
import json, os, sys
out, before, slow, workers, slow_ms = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5])
slowed_capacity = workers * 1000 / slow_ms
rows = {}
for name in ["fixed-W", "gradient", "knee", "haproxy"]:
    path = os.path.join(out, name + ".json")
    if not os.path.exists(path): continue
    r = json.load(open(path))
    step = r["bucket_ms"] / 1000
    series = [(b["t_s"], b["stats"]) for b in r["series"]]
    def rate(t0, t1, key):
        picked = [s[key] for t, s in series if t0 <= t < t1]
        return sum(picked) / max(t1 - t0, step) if picked else 0
    slow_goodput = rate(before + 2, before + slow, "goodput")
    offered = rate(2, before, "offered") or 1
    # Recovery: after the service is fast again, the first time from which goodput over 1 s
    # stays at >= 95% of the offered load for 2 s.
    end = before + slow
    recovered = None
    t = end
    while t + 3 <= series[-1][0] + step:
        if all(rate(u, u + 1, "goodput") >= 0.95 * offered for u in [t + k * 0.1 for k in range(11)]):
            recovered = t - end
            break
        t += 0.1
    lp = os.path.join(out, name + "-limit.txt")
    samples = [line.split() for line in open(lp) if line.strip()] if os.path.exists(lp) else []
    limits = [int(l) for t, l in samples if before + 2 <= float(t) <= before + slow]
    rows[name] = (slow_goodput, recovered, limits, r["valid"])
ref = rows.get("fixed-W", (0,))[0] or 1
print(f"{'proxy':10}{'goodput while slow':>20}{'of 4 slow workers':>19}{'of fixed-W':>12}{'recovery':>10}{'limit while slow':>18}")
for name, (good, rec, limits, valid) in rows.items():
    lim = f"{min(limits)}-{max(limits)}" if limits else "-"
    recs = "never" if rec is None else f"{rec:.1f}s"
    print(f"{name:10}{good:>16.0f}/s{good / slowed_capacity * 100:>18.1f}%{good / ref * 100:>11.1f}%{recs:>10}{lim:>18}")
PY
