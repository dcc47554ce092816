#!/usr/bin/env bash
# WebSocket bench: 1,000 upgrade tunnels held open through levee while ordinary HTTP traffic on
# a route with a small fixed limit stays admitted. An open tunnel holds no admission permit, so
# the HTTP route must serve as if the tunnels were not there. Peers in the same run: the HTTP
# load without tunnels (quiet), and the same tunnels straight to the backend (echo latency).
#
#   bash bench/websocket/run.sh [BUILD_DIR]        (default build/release; needs levee, levee-load)
#
# Knobs (environment): TUNNELS=1000 HOLD=60 INTERVAL=5 RATE=200 LIMIT=16
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${1:-$root/build/release}
levee=$build/proxy/levee
load=$build/loadtest/levee-load
tunnels=${TUNNELS:-1000}
hold=${HOLD:-60}
interval=${INTERVAL:-5}
rate=${RATE:-200}
limit=${LIMIT:-16}
source "$root/scripts/lib/local-processes.sh"

# Each tunnel is a client socket and an upstream socket in levee, one socket here and one in
# the backend, plus the HTTP load's own.
ulimit -n "$(( $(ulimit -Hn) < 65536 ? $(ulimit -Hn) : 65536 ))" 2>/dev/null || true
if (( $(ulimit -n) < 3 * tunnels + 500 )); then
  echo "open-file limit $(ulimit -n) is too low for $tunnels tunnels" >&2; exit 2
fi

"$load" backend --listen 127.0.0.1:0 --workers 32 --service-time 5ms >"$work/backend.log" 2>&1 &
pids+=($!)
backend_port=$(port_from_log "$work/backend.log" "listening on ")

cat >"$work/levee.yaml" <<YAML
server:
  threads: 2
  drain_timeout: 10s
listener:
  address: 127.0.0.1:0
  max_connections: $(( 2 * tunnels + 1000 ))
admin:
  address: 127.0.0.1:0
upstreams:
  - name: backend
    address: 127.0.0.1:$backend_port
    max_connections: $(( 2 * tunnels + 1000 ))
admission:
  limit: {kind: fixed, initial: $limit}   # far below the tunnel count: tunnels must not hold it
  queue: {max_length: 64, max_wait: 1s}
tunnels:
  max: $(( tunnels + 100 ))
  drain_grace: 2s
YAML
"$levee" --config "$work/levee.yaml" >"$work/levee.log" 2>&1 &
levee_pid=$!
pids+=("$levee_pid")
levee_port=$(port_from_log "$work/levee.log" "proxy listening on ")
admin_port=$(port_from_log "$work/levee.log" "admin listening on ")

http_duration="$(( hold > 20 ? hold - 10 : hold / 2 ))s"
run_load() {
  "$load" run --target "http://127.0.0.1:$levee_port/work" --rate "$rate" --duration "$http_duration" \
    --timeout 2s --json "$1" -q >"$1.txt" 2>&1 || true
}
summary() {
  python3 -c 'import json,sys; t=json.load(open(sys.argv[1]))["total"]; print(json.dumps({k: t.get(k) for k in ("sent","goodput","shed","errors","p50_ms","p99_ms")}))' "$1"
}

echo "== backend :$backend_port, levee :$levee_port (limit $limit), $tunnels tunnels for ${hold}s, HTTP $rate req/s for $http_duration"
echo "-- quiet: HTTP load alone"
run_load "$work/quiet.json"
echo "   $(summary "$work/quiet.json")"

echo "-- through levee: $tunnels tunnels + the same HTTP load"
python3 "$here/tunnels.py" --port "$levee_port" --tunnels "$tunnels" --hold "$hold" --interval "$interval" \
  >"$work/tunnels-levee.json" &
tunnels_pid=$!
pids+=("$tunnels_pid")
sleep 7  # the handshakes are spread over 5 s
open_now=$(curl -s "http://127.0.0.1:$admin_port/metrics" | awk '/^levee_tunnels_open/{s+=$2} END{print s+0}')
in_flight=$(curl -s "http://127.0.0.1:$admin_port/metrics" | awk '/^levee_admission_in_flight/{s+=$2} END{print s+0}')
echo "   after the ramp: levee_tunnels_open $open_now, admission in flight $in_flight (limit $limit)"
run_load "$work/loaded.json"
echo "   HTTP: $(summary "$work/loaded.json")"
wait "$tunnels_pid"
echo "   tunnels: $(cat "$work/tunnels-levee.json")"

echo "-- peer: the same tunnels straight to the backend"
python3 "$here/tunnels.py" --port "$backend_port" --tunnels "$tunnels" --hold "$hold" --interval "$interval" \
  >"$work/tunnels-direct.json"
echo "   tunnels: $(cat "$work/tunnels-direct.json")"

echo "-- drain: $tunnels tunnels open, then SIGTERM"
python3 "$here/tunnels.py" --port "$levee_port" --tunnels "$tunnels" --hold 600 --interval "$interval" \
  >"$work/tunnels-drain.json" &
drain_tunnels=$!
pids+=("$drain_tunnels")
sleep 8
kill -TERM "$levee_pid"
started=$(date +%s.%N)
exit_code=0; wait "$levee_pid" || exit_code=$?
stopped=$(date +%s.%N)
wait "$drain_tunnels" || true
echo "   tunnels: $(cat "$work/tunnels-drain.json")"

drain_s=$(python3 -c "print(round($stopped - $started, 2))")
python3 - "$work" "$exit_code" "$drain_s" <<'PY'
import json, sys
work, exit_code, drain_s = sys.argv[1], sys.argv[2], sys.argv[3]
def total(name): return json.load(open(f"{work}/{name}.json"))["total"]
def tunnels(name): return json.load(open(f"{work}/tunnels-{name}.json"))
quiet, loaded = total("quiet"), total("loaded")
via, direct = tunnels("levee"), tunnels("direct")
ratio = lambda a, b: round(a / b, 2) if a is not None and b else None
print("== summary")
print(f"   HTTP goodput ratio with tunnels / quiet: {ratio(loaded['goodput'] / max(loaded['sent'], 1), quiet['goodput'] / max(quiet['sent'], 1))}"
      f" (goodput {loaded['goodput']}/{loaded['sent']} sent vs {quiet['goodput']}/{quiet['sent']}; shed {loaded['shed']} vs {quiet['shed']})")
print(f"   HTTP p99 with tunnels / quiet: {ratio(loaded['p99_ms'], quiet['p99_ms'])} ({loaded['p99_ms']} vs {quiet['p99_ms']} ms)")
print(f"   tunnels opened through levee: {via['opened']}/{via['tunnels']} (direct {direct['opened']}/{direct['tunnels']}),"
      f" clean closes {via['clean_closes']} (direct {direct['clean_closes']})")
print(f"   echo p99 through levee / direct: {ratio(via['echo_p99_ms'], direct['echo_p99_ms'])}"
      f" ({via['echo_p99_ms']} vs {direct['echo_p99_ms']} ms; p50 {via['echo_p50_ms']} vs {direct['echo_p50_ms']} ms)")
drain = tunnels("drain")
print(f"   drain: levee exit {exit_code} {drain_s} s after SIGTERM; of {drain['opened']} open tunnels"
      f" {drain['closed_by_far_side']} closed with a FIN, {drain['errors']} errors {drain['error_kinds']}")
PY
