#!/usr/bin/env bash
# bench/fairness: fair admission's acceptance scenarios, measured with levee-load flows.
#
# Backend: W workers x S service time (default 4 x 10 ms: capacity C = 400 req/s). Callers: 1 s
# timeout, no retries (a retry would let a starved tenant win by persistence, hiding unfairness).
# Scenarios (each against a fresh backend and proxy):
#   two-tenants   A 0.5C, ramps to 6C and floods; B steady at 0.2C; then B stops (A alone)
#   many-tenants  200 light tenants at 0.004C each (0.8C together) + one hog ramping to 5C
#   key-explosion a new X-Tenant value per request (1,000,000 keys) at 10C + tenant B at 0.2C;
#                 the proxy's memory (VmRSS before, VmRSS and VmHWM after) shows key state
# Proxies:
#   levee-fair    levee, defaults + admission.fairness.key: [{header: X-Tenant}]
#   levee         levee, defaults (no fairness: today's behaviour)
#   haproxy       per-tenant concurrency cap: track-sc0 req.hdr(X-Tenant), 429 when the tenant's
#                 concurrent requests (sc0_conn_cur) exceed W/2; server maxconn W, queue 500 ms
#   direct        no proxy (the service alone), for reference
# Prints one table; JSON/HTML reports and logs stay in --out. About 4 minutes by default.
#   bench/fairness/run.sh [--build-dir build] [--out build/bench-fairness] [--only SCENARIO]...
#       [--proxy NAME]... [--workers 4] [--service-time 10ms] [--explosion-duration 20s] [--full]
#   --full: the key explosion runs the issue's 60 s.
set -euo pipefail
cd "$(dirname "$0")/../.."
build=build out=build/bench-fairness only=() proxies=() workers=4 service_ms=10 explosion=20s
while [[ $# -gt 0 ]]; do
  case "$1" in
    --build-dir) build=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --only) only+=("$2"); shift 2 ;;
    --proxy) proxies+=("$2"); shift 2 ;;
    --workers) workers=$2; shift 2 ;;
    --service-time) service_ms=${2%ms}; shift 2 ;;
    --explosion-duration) explosion=$2; shift 2 ;;
    --full) explosion=60s; shift ;;
    *) echo "usage: $0 [--build-dir DIR] [--out DIR] [--only SCENARIO] [--proxy NAME] [--workers W]" \
            "[--service-time MS] [--explosion-duration D] [--full]" >&2; exit 2 ;;
  esac
done
[[ ${#proxies[@]} -eq 0 ]] && proxies=(levee-fair levee haproxy direct)
levee=$build/proxy/levee load=$build/loadtest/levee-load
capacity=$(( workers * 1000 / service_ms ))
tenant_cap=$(( (workers + 1) / 2 ))
for f in "$load" "$levee"; do [[ -x $f ]] || { echo "missing $f: build it (ninja -C $build levee levee-load)" >&2; exit 2; }; done
if ! command -v haproxy >/dev/null; then
  echo "[fairness] haproxy is not installed: skipping its column (scripts/install-deps.sh --bench installs it)" >&2
  proxies=("${proxies[@]/haproxy}")
fi
mkdir -p "$out"
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done' EXIT

source "$(dirname "$0")/profiles.sh"

wait_for() {  # log pattern [pid] -> the address after the pattern
  for _ in $(seq 100); do
    local a; a=$(grep -o "$2 [0-9.:]*" "$1" | head -1 | awk '{print $NF}') || true
    [[ -n $a ]] && { echo "$a"; return; }
    [[ -n ${3:-} ]] && ! kill -0 "$3" 2>/dev/null && break
    sleep 0.1
  done
  echo "no '$2' in $1 (the process did not start or exited):" >&2; cat "$1" >&2; return 1
}

memory() {  # pid -> "VmRSS_kB VmHWM_kB"
  awk '/^VmRSS/{r=$2} /^VmHWM/{h=$2} END{print r+0, h+0}' "/proc/$1/status" 2>/dev/null || echo "0 0"
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# Starts the proxy in front of $1 (the backend's address); sets target and proxy_pid.
start_proxy() {
  local proxy=$1 baddr=$2 name=$3
  proxy_pid="" target="http://$baddr/work"
  case $proxy in
    direct) ;;
    haproxy)
      local port; port=$(free_port)
      cat >"$out/$name.cfg" <<CFG
global
    nbthread 2
    maxconn 9000
defaults
    mode http
    option http-keep-alive
    option abortonclose
    timeout connect 1s
    timeout client 60s
    timeout server 30s
    timeout queue 500ms
frontend fair
    bind 127.0.0.1:$port
    # One entry per tenant; conn_cur counts the tenant's requests in progress (each HTTP
    # request is a stream that tracks the entry until it ends).
    stick-table type string len 64 size 2m expire 30s store conn_cur
    http-request track-sc0 req.hdr(X-Tenant)
    http-request deny deny_status 429 if { sc0_conn_cur gt $tenant_cap }
    default_backend service
backend service
    server backend $baddr maxconn $workers
CFG
      (ulimit -n "$(ulimit -Hn)"; exec haproxy -db -f "$out/$name.cfg") >"$out/$name-proxy.log" 2>&1 &
      proxy_pid=$!; pids+=("$proxy_pid")
      for _ in $(seq 50); do (echo >/dev/tcp/127.0.0.1/"$port") 2>/dev/null && break; sleep 0.1; done
      target="http://127.0.0.1:$port/work" ;;
    levee|levee-fair)
      {
        printf 'listener: {address: 127.0.0.1:0}\nadmin: {address: 127.0.0.1:0}\n'
        printf 'upstreams: [{name: service, address: "%s"}]\n' "$baddr"
        [[ $proxy == levee-fair ]] && printf 'admission:\n  fairness:\n    key: [{header: X-Tenant}]\n'
      } >"$out/$name.yaml"
      "$levee" --config "$out/$name.yaml" >"$out/$name-proxy.log" 2>&1 &
      proxy_pid=$!; pids+=("$proxy_pid")
      local paddr; paddr=$(wait_for "$out/$name-proxy.log" "proxy listening on" "$proxy_pid") || { proxy_pid=""; return 1; }
      target="http://$paddr/work" ;;
  esac
}

run() {  # scenario proxy
  local scenario=$1 proxy=$2 name="$1-$2"
  "$load" backend --listen 127.0.0.1:0 --workers "$workers" --service-time "${service_ms}ms" >"$out/$name-backend.log" 2>&1 &
  local backend=$!; pids+=("$backend")
  local baddr; baddr=$(wait_for "$out/$name-backend.log" "listening on")
  if ! start_proxy "$proxy" "$baddr" "$name"; then
    echo "[fairness] $name: the proxy did not start (see $out/$name-proxy.log)" >&2
    echo "{\"skipped\": \"proxy did not start\"}" >"$out/$name.json"
    kill "$backend" 2>/dev/null || true; wait 2>/dev/null || true; return
  fi
  local before="0 0"; [[ -n $proxy_pid ]] && before=$(memory "$proxy_pid")
  "$load" run -q --profile "$out/$scenario.yaml" --target "$target" --label "$proxy" --max-lag 20ms \
    --json "$out/$name.json" --html "$out/$name.html" >"$out/$name.txt" 2>&1 || true
  local after="0 0"; [[ -n $proxy_pid ]] && after=$(memory "$proxy_pid")
  echo "$before $after" >"$out/$name.mem"
  # Graceful stop (levee: SIGTERM drains; HAProxy: SIGUSR1 is its soft stop, SIGTERM a hard
  # one); the exit status is recorded so a crash under load does not go unnoticed.
  if [[ -n $proxy_pid ]]; then
    kill "-$([[ $proxy == haproxy ]] && echo USR1 || echo TERM)" "$proxy_pid" 2>/dev/null || true
    local status=0; wait "$proxy_pid" 2>/dev/null || status=$?
    echo "$status" >"$out/$name.exit"
  fi
  kill "$backend" 2>/dev/null || true
  wait "$backend" 2>/dev/null || true
  echo "[fairness] $name done" >&2
}

scenarios=(two-tenants many-tenants key-explosion)
write_profiles
for scenario in "${scenarios[@]}"; do
  if [[ ${#only[@]} -gt 0 && ! " ${only[*]} " == *" $scenario "* ]]; then continue; fi
  for proxy in "${proxies[@]}"; do [[ -n $proxy ]] && run "$scenario" "$proxy"; done
done

python3 "$(dirname "$0")/table.py" "$out" "$capacity"
