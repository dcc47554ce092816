#!/usr/bin/env bash
# gRPC overload through levee: a grpcio service with a capacity (C slots, each call holding
# one for S ms: C*1000/S calls/s) behind levee with a fixed limit, an h2c listener and an h2c
# upstream; an open-loop grpcio client (bench/grpc/load.py) at 0.5x capacity, then 3x for a
# few seconds, then 0.5x again. Prints goodput during the spike as % of capacity, the
# RESOURCE_EXHAUSTED count and the recovery time after the spike (p99 back under 2x idle).
# Targets: goodput >= 95%, recovery <= 1 s.
#
#   bench/grpc/run.sh [--capacity 8] [--sleep-ms 50] [--limit C] [--spike 4] [--direct]
#
# --direct sends the same load straight to the service, for comparison: without levee the
# excess queues in the service until callers' deadlines (20x the service time) pass.
#
# Needs build/release (levee, levee-load) and python3-grpcio. 127.0.0.1 only, kernel ports.
set -euo pipefail
cd "$(dirname "$0")/../.."

capacity=8 sleep_ms=50 limit="" spike=4 direct=
while [[ $# -gt 0 ]]; do
  case "$1" in
    --capacity) capacity=$2; shift 2 ;;
    --sleep-ms) sleep_ms=$2; shift 2 ;;
    --limit) limit=$2; shift 2 ;;
    --spike) spike=$2; shift 2 ;;
    --direct) direct=1; shift ;;
    *) echo "run.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
# The limit a little above the service's slots: while levee holds the excess back, the
# service always has the next call queued in it, so no slot idles between two calls.
limit=${limit:-$((capacity + 2))}

/usr/bin/python3 -c 'import grpc' 2>/dev/null || { echo "run.sh: python3-grpcio missing (scripts/install-deps.sh)" >&2; exit 1; }
levee=build/release/proxy/levee
load=build/release/loadtest/levee-load
source scripts/lib/local-processes.sh  # $work, $pids (killed on exit), port_from_log
dir=$work

/usr/bin/python3 tests/integration/support/grpc_server.py --capacity "$capacity" --sleep-ms "$sleep_ms" \
  >"$dir/service.log" 2>&1 &
pids+=($!)
service_port=$(port_from_log "$dir/service.log" "listening on ")

cat >"$dir/levee.yaml" <<YAML
server: {threads: 1, drain_timeout: 1s}
listener:
  address: 127.0.0.1:0
  http2: {enabled: true, h2c: true}
admin: {address: 127.0.0.1:0}
upstreams:
  - {name: service, address: 127.0.0.1:$service_port, protocol: h2c}
admission:
  limit: {kind: fixed, initial: $limit}
  queue: {max_length: 0}
YAML
"$levee" --config "$dir/levee.yaml" >"$dir/levee.log" 2>&1 &
pids+=($!)
levee_port=$(port_from_log "$dir/levee.log" "proxy listening on ")

rate=$(( capacity * 1000 / sleep_ms ))
target_port=$levee_port through="levee fixed limit $limit"
if [[ -n $direct ]]; then target_port=$service_port through="direct, no levee"; fi
echo "service: $capacity slots x ${sleep_ms} ms = $rate calls/s; $through; spike 3x for ${spike}s"
/usr/bin/python3 bench/grpc/load.py "127.0.0.1:$target_port" "$rate" "$sleep_ms" --spike "$spike" ${LOAD_DEBUG:+--debug}
admin_port=$(port_from_log "$dir/levee.log" "admin listening on ")
echo "levee errors, abuse:" $(curl -s "127.0.0.1:$admin_port/metrics" | grep -E '^levee_(errors|h2_abuse)_total' | grep -v ' 0$' || true)
