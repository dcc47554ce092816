#!/usr/bin/env bash
# How fast levee-load can drive a target that is never the bottleneck: nginx answering a fixed
# 200 on 127.0.0.1 (a generated config, one worker, no logs). For each rate, prints the achieved
# rate and the schedule lag p99 (how late requests left versus their intended send time).
# The issue's bar: >= 20,000 req/s achieved, and lag p99 < 1 ms at 10,000 req/s.
#
#   bench/loadgen/run.sh [LEVEE_LOAD] [RATES...]     default: build/load/loadtest/levee-load 10000 20000 30000
# Env: DURATION (default 10s), THREADS (default 2), NGINX_WORKERS (default 1).
set -euo pipefail
cd "$(dirname "$0")/../.."
load=${1:-build/load/loadtest/levee-load}
shift || true
rates=("$@")
[[ ${#rates[@]} -gt 0 ]] || rates=(10000 20000 30000)
duration=${DURATION:-10s}
threads=${THREADS:-2}
command -v nginx >/dev/null || { echo "nginx not installed" >&2; exit 2; }
command -v jq >/dev/null || { echo "jq not installed" >&2; exit 2; }

dir=$(mktemp -d /tmp/levee-loadgen.XXXXXX)
port=$(( 20000 + RANDOM % 20000 ))
cat >"$dir/nginx.conf" <<CONF
worker_processes ${NGINX_WORKERS:-1};
daemon off;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 16384; }
http {
  access_log off;
  keepalive_requests 10000000;
  keepalive_timeout 60s;
  client_body_temp_path $dir;
  server {
    listen 127.0.0.1:$port reuseport backlog=4096;
    location / { return 200 "ok\n"; }
  }
}
CONF
nginx -p "$dir" -c "$dir/nginx.conf" &
nginx_pid=$!
trap 'kill $nginx_pid 2>/dev/null || true; wait 2>/dev/null || true' EXIT
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/" >/dev/null && break; sleep 0.1; done

printf '%-10s %-12s %-12s %-12s %-10s %s\n' rate achieved lag_p99_ms lag_max_ms goodput verdict
for rate in "${rates[@]}"; do
  rc=0
  "$load" run -q --target "http://127.0.0.1:$port/" --rate "$rate" --duration "$duration" --threads "$threads" \
    --timeout 1s --json "$dir/r.json" >/dev/null 2>"$dir/stderr" || rc=$?
  seconds=$(jq '[.phases[].end_s] | max' "$dir/r.json")
  jq -r --arg rate "$rate" --argjson s "$seconds" --arg rc "$rc" \
    '[$rate, (.total.sent / $s | floor | tostring), (.metrics.lag_p99 * 1000 | tostring),
      (.metrics.lag_max * 1000 | tostring), (.metrics.goodput_ratio | tostring), (.verdict + " (exit " + $rc + ")")]
     | @tsv' "$dir/r.json" | awk -F'\t' '{printf "%-10s %-12s %-12.3f %-12.3f %-10.4f %s\n", $1, $2, $3, $4, $5, $6}'
  grep -m1 WARNING "$dir/stderr" || true
done
