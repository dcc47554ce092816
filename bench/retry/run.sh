#!/usr/bin/env bash
# bench/retry: retry budgets, measured with levee-load (issue "Retry budgets" acceptance).
#
#   failing     backend answers 50% of /work with a plain 503 (no Retry-After); levee retries
#               3 attempts on 503 with the default budget (ratio 0.1): attempts per request
#   naive       the same with the budget opened wide (ratio 10): what plain 3-attempt retries do
#   down        the service's port is closed: levee answers 502 fast, attempts stay ~1 + budget
#   calm-callers / impatient-callers
#               3x overload of a 4-worker backend behind levee (fixed limit 4), callers that do
#               not retry vs callers retrying at once twice: first-attempt goodput, shed reasons
# Prints one table; reports stay in --out. About 2 minutes.
#   bench/retry/run.sh [--build-dir build/release] [--out build/bench-retry]
set -euo pipefail
cd "$(dirname "$0")/../.."
build=build/release out=build/bench-retry
while [[ $# -gt 0 ]]; do
  case "$1" in
    --build-dir) build=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    *) echo "usage: $0 [--build-dir DIR] [--out DIR]" >&2; exit 2 ;;
  esac
done
levee=$build/proxy/levee load=$build/loadtest/levee-load
mkdir -p "$out"
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done' EXIT

wait_for() {  # log pattern -> the address after it
  for _ in $(seq 100); do
    local a; a=$(grep -o "$2 [0-9.:]*" "$1" | head -1 | awk '{print $NF}') || true
    [[ -n $a ]] && { echo "$a"; return; }; sleep 0.1
  done
  echo "timed out waiting for '$2' in $1" >&2; exit 1
}

start_backend() {  # name flags... -> sets baddr
  local name=$1; shift
  "$load" backend --listen 127.0.0.1:0 "$@" >"$out/$name-backend.log" 2>&1 &
  pids+=("$!"); backend_pid=$!
  baddr=$(wait_for "$out/$name-backend.log" "listening on")
}

start_levee() {  # name upstream routes-and-admission-yaml -> sets laddr, admin, levee_pid
  local name=$1 upstream=$2 rest=$3
  printf 'listener: {address: 127.0.0.1:0}\nadmin: {address: 127.0.0.1:0}\nupstreams: [{name: service, address: "%s"}]\n%s' \
    "$upstream" "$rest" >"$out/$name-levee.yaml"
  "$levee" --config "$out/$name-levee.yaml" >"$out/$name-levee.log" 2>&1 &
  pids+=("$!"); levee_pid=$!
  laddr=$(wait_for "$out/$name-levee.log" "proxy listening on")
  admin=$(wait_for "$out/$name-levee.log" "admin listening on")
}

stop_all() {
  kill "$levee_pid" "$backend_pid" 2>/dev/null || true
  wait 2>/dev/null || true
}

retry_route() {  # budget ratio
  cat <<YAML
routes:
  - name: work
    path_prefix: /
    upstream: service
    retry:
      attempts: 3
      retry_on: [connect_failure, reset, status]
      statuses: [502, 503, 504]
      backoff_base: 5ms
      backoff_max: 50ms
      budget: {ratio: $1, min_per_second: 1, window: 10s}
admission: {enabled: false}
YAML
}

# Outbound: 300 req/s for 15 s of callers that never retry themselves, so every attempt past
# the first one that reaches the backend is levee's.
outbound() {  # name ratio
  start_backend "$1" --workers 8 --service-time 1ms --fail-ratio 0.5 --fail-status 503
  start_levee "$1" "$baddr" "$(retry_route "$2")"
  local before; before=$(curl -s "http://$baddr/stats")
  "$load" run -q --target "http://$laddr/work" --rate 300 --duration 15s --timeout 2s --retry none \
    --label "$1" --json "$out/$1.json" >"$out/$1.txt" 2>&1 || true
  curl -s "http://$baddr/stats" >"$out/$1-stats-after.json"
  echo "$before" >"$out/$1-stats-before.json"
  curl -s "http://$admin/metrics" >"$out/$1-metrics.txt"
  stop_all
  echo "[retry] $1 done" >&2
}

outbound failing 0.1
outbound naive 10

# The service is down: a port that was just free.
dead=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
backend_pid=
start_levee down "127.0.0.1:$dead" "$(retry_route 0.1)"
"$load" run -q --target "http://$laddr/work" --rate 300 --duration 15s --timeout 2s --retry none \
  --label down --json "$out/down.json" --requests "$out/down-requests.csv" >"$out/down.txt" 2>&1 || true
curl -s "http://$admin/metrics" >"$out/down-metrics.txt"
stop_all
echo "[retry] down done" >&2

# Inbound: client retries under a 3x overload. Capacity 400 req/s (4 workers x 10 ms).
inbound() {  # name retry-mode
  cat >"$out/$1-profile.yaml" <<YAML
name: $1
capacity: 400
client: {timeout: 1s, deadline: 3s, keep_alive: true, max_connections: 12000}
retry: {mode: $2, max_retries: 2}
phases:
  - {name: baseline, role: baseline, rate: 0.5x, duration: 5s}
  - {name: hold,     role: overload, rate: 3x,   duration: 15s}
  - {name: recover,  role: recovery, rate: 0.5x, duration: 5s}
YAML
  start_backend "$1" --workers 4 --service-time 10ms
  start_levee "$1" "$baddr" "admission:
  limit: {kind: fixed, initial: 4}
"
  "$load" run -q --profile "$out/$1-profile.yaml" --target "http://$laddr/work" --label "$1" \
    --json "$out/$1.json" --requests "$out/$1-requests.csv" >"$out/$1.txt" 2>&1 || true
  curl -s "http://$admin/metrics" >"$out/$1-metrics.txt"
  stop_all
  echo "[retry] $1 done" >&2
}
inbound calm-callers none
inbound impatient-callers impatient

python3 "$(dirname "$0")/report.py" "$out"
