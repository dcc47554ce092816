#!/usr/bin/env bash
# HTTP/2 through levee next to HAProxy, in the same run: h2load (nghttp2-client) speaks h2c by
# prior knowledge to levee (listener.http2.h2c) and to HAProxy (`bind ... proto h2`); both
# proxy to the same origin (levee-load backend, HTTP/1.1, keep-alive). Rounds alternate
# levee and HAProxy; the report gives the medians and the ratios levee/HAProxy for req/s and
# p99 (p99 from h2load's per-request log, not its summary, which has no percentiles).
#
#   bench/h2/compare.sh [--duration 5] [--rounds 3] [--clients 10] [--streams 10] [--threads 1]
#
# Needs build/release (levee, levee-load), h2load and haproxy (scripts/install-deps.sh --bench
# and nghttp2-client). 127.0.0.1 only, on ports the kernel picks.
set -euo pipefail
cd "$(dirname "$0")/../.."

duration=5 rounds=3 clients=10 streams=10 threads=1
while [[ $# -gt 0 ]]; do
  case "$1" in
    --duration) duration=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --clients) clients=$2; shift 2 ;;
    --streams) streams=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    *) echo "compare.sh: unknown option $1" >&2; exit 2 ;;
  esac
done

for tool in h2load haproxy; do
  command -v "$tool" >/dev/null || { echo "compare.sh: $tool not found (scripts/install-deps.sh --bench; nghttp2-client)" >&2; exit 1; }
done
levee=build/release/proxy/levee
load=build/release/loadtest/levee-load
source scripts/lib/local-processes.sh  # $work, $pids (killed on exit), port_from_log
dir=$work

# HAProxy needs its port in its config: one the kernel picks (bind to port 0, then free it).
haproxy_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')

"$load" backend --listen 127.0.0.1:0 --io-threads 1 >"$dir/backend.log" 2>&1 &
pids+=($!)
origin_port=$(port_from_log "$dir/backend.log" "listening on ")

cat >"$dir/levee.yaml" <<YAML
server: {threads: $threads, drain_timeout: 1s}
listener:
  address: 127.0.0.1:0
  http2: {enabled: true, h2c: true}
admin: {address: 127.0.0.1:0}
upstreams:
  - {name: origin, address: 127.0.0.1:$origin_port, max_connections: 1024}
admission:
  limit: {kind: fixed, initial: 10000}   # on, but never shedding at this concurrency
YAML
"$levee" --config "$dir/levee.yaml" >"$dir/levee.log" 2>&1 &
pids+=($!)
levee_port=$(port_from_log "$dir/levee.log" "proxy listening on ")

cat >"$dir/haproxy.cfg" <<CFG
global
    nbthread $threads
defaults
    mode http
    option http-keep-alive
    option forwardfor
    http-reuse always
    timeout connect 1s
    timeout client 60s
    timeout server 30s
frontend h2c
    bind 127.0.0.1:$haproxy_port proto h2
    default_backend origin
backend origin
    server origin 127.0.0.1:$origin_port maxconn 1024
CFG
haproxy -db -f "$dir/haproxy.cfg" >"$dir/haproxy.log" 2>&1 &
pids+=($!)

for port in "$haproxy_port"; do
  for _ in $(seq 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
    sleep 0.05
  done
done
# Both must answer over h2c before anything is measured.
for port in "$levee_port" "$haproxy_port"; do
  h2load -n 10 -c 1 "http://127.0.0.1:$port/" | grep -q "10 succeeded" ||
    { echo "compare.sh: no h2c answer on port $port" >&2; cat "$dir"/*.log >&2; exit 1; }
done

run() {  # proxy name, port, round
  local log="$dir/$1-$3.tsv"
  h2load -D "$duration" -c "$clients" -m "$streams" -t 1 --log-file="$log" "http://127.0.0.1:$2/" >"$dir/$1-$3.txt"
  python3 - "$log" "$duration" <<'PY'
import sys
rows = [line.split("\t") for line in open(sys.argv[1]) if line.strip()]
ok = [int(r[2]) for r in rows if r[1] == "200"]
ok.sort()
p99 = ok[min(len(ok) - 1, int(len(ok) * 0.99))] / 1000 if ok else float("nan")
print(f"{len(ok) / float(sys.argv[2]):.0f} {p99:.3f} {len(rows) - len(ok)}")
PY
}

echo "h2load -D ${duration}s -c $clients -m $streams (h2c), $rounds round(s), $threads proxy thread(s)"
declare -A rps p99
for round in $(seq "$rounds"); do
  for proxy in levee haproxy; do
    port=$levee_port; [[ $proxy == haproxy ]] && port=$haproxy_port
    read -r r p failed < <(run "$proxy" "$port" "$round")
    printf "round %d %-8s %8s req/s  p99 %7s ms  non-200: %s\n" "$round" "$proxy" "$r" "$p" "$failed"
    rps[$proxy]+="$r "
    p99[$proxy]+="$p "
  done
done
python3 - "${rps[levee]}" "${rps[haproxy]}" "${p99[levee]}" "${p99[haproxy]}" <<'PY'
import statistics, sys
lr, hr, lp, hp = ([float(x) for x in a.split()] for a in sys.argv[1:])
mlr, mhr, mlp, mhp = map(statistics.median, (lr, hr, lp, hp))
print(f"median  levee {mlr:.0f} req/s p99 {mlp:.3f} ms | haproxy {mhr:.0f} req/s p99 {mhp:.3f} ms")
print(f"ratio levee/haproxy: req/s {mlr / mhr:.2f}x  p99 {mlp / mhp:.2f}x")
PY
