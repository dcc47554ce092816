#!/usr/bin/env bash
# Slowloris bench: p99 of ordinary traffic through levee, quiet and then while ~300 connections
# dribble their headers one byte a second. levee's header timeout (408, then close) and its
# per-connection cost decide whether the slow clients hurt anyone else; target: the p99 with
# slow clients within 20 % of the quiet p99.
#
#   bash bench/slowloris/run.sh [BUILD_DIR]        (default build/release; needs levee, levee-load)
#
# Knobs (environment): RATE=500 DURATION=10s SLOW_CONNECTIONS=300 HEADER_TIMEOUT=3s ROUNDS=3
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${1:-$root/build/release}
levee=$build/proxy/levee
load=$build/loadtest/levee-load
rate=${RATE:-500}
duration=${DURATION:-10s}
slow_connections=${SLOW_CONNECTIONS:-300}
header_timeout=${HEADER_TIMEOUT:-3s}
source "$root/scripts/lib/local-processes.sh"

"$load" backend --listen 127.0.0.1:0 --workers 8 --service-time 1ms >"$work/backend.log" 2>&1 &
pids+=($!)
backend_port=$(port_from_log "$work/backend.log" "listening on ")

cat >"$work/levee.yaml" <<YAML
server:
  threads: 2
listener:
  address: 127.0.0.1:0
  max_connections: 2000          # above slow + ordinary connections: this bench is about the timeout
  header_timeout: $header_timeout  # shipped 10s; short here so the closes show within a run
admin:
  address: 127.0.0.1:0
upstreams:
  - name: backend
    address: 127.0.0.1:$backend_port
YAML
"$levee" --config "$work/levee.yaml" >"$work/levee.log" 2>&1 &
pids+=($!)
levee_port=$(port_from_log "$work/levee.log" "proxy listening on ")
admin_port=$(port_from_log "$work/levee.log" "admin listening on ")

rounds=${ROUNDS:-3}
p99_of() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["total"]["p99_ms"])' "$1"; }
# levee-load marks a run invalid when its own sending lagged (a busy machine); say so.
validity() {
  python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print("" if d["valid"] else " (invalid: " + "; ".join(d["invalid_reasons"]) + ")")' "$1"
}
run_load() {
  "$load" run --target "http://127.0.0.1:$levee_port/work" --rate "$rate" --duration "$duration" \
    --timeout 2s --json "$1" -q >"$1.txt" 2>&1 || true
}

duration_s=$(python3 -c 'import re,sys; m=re.fullmatch(r"([\d.]+)(ms|s|m)",sys.argv[1]); print(float(m[1])*{"ms":0.001,"s":1,"m":60}[m[2]])' "$duration")
attack_s=$(python3 -c "print($duration_s + 4)")

echo "== backend :$backend_port (8 workers, 1 ms), levee :$levee_port, header_timeout $header_timeout"
echo "== $rounds round(s), each: $rate req/s for $duration quiet, then the same with $slow_connections slow clients"
# Quiet and attacked runs alternate so that noise from the rest of the machine hits both alike.
for round in $(seq "$rounds"); do
  run_load "$work/quiet-$round.json"
  python3 "$here/slow_clients.py" --port "$levee_port" --connections "$slow_connections" --interval 1 \
    --duration "$attack_s" >"$work/attack-$round.json" &
  slow_pid=$!
  pids+=("$slow_pid")
  sleep 2  # let the slow connections open and start dribbling before measuring
  curl -s "http://127.0.0.1:$admin_port/metrics" | awk '/^levee_client_connections_open /{print $2}' \
    >"$work/open-$round.txt" || true
  run_load "$work/slow-$round.json"
  wait "$slow_pid"
  echo "   round $round: quiet p99 $(p99_of "$work/quiet-$round.json") ms$(validity "$work/quiet-$round.json")," \
    "with slow clients $(p99_of "$work/slow-$round.json") ms$(validity "$work/slow-$round.json")"
done

python3 - "$work" "$rounds" <<'PY'
import json, statistics, sys
work, rounds = sys.argv[1], int(sys.argv[2])
def total(name):
    return json.load(open(f"{work}/{name}"))["total"]
def summary(kind):
    runs = [total(f"{kind}-{r}.json") for r in range(1, rounds + 1)]
    p99 = statistics.median(t["p99_ms"] for t in runs)
    ok = sum(t["goodput"] for t in runs)
    offered = sum(t["offered"] for t in runs)
    bad = sum(t["timeouts"] + t["errors"] for t in runs)
    return p99, f"({ok}/{offered} ok, {bad} timeouts or errors)"
quiet, quiet_note = summary("quiet")
slow, slow_note = summary("slow")
ratio = slow / quiet if quiet > 0 else float("inf")
attacks = [json.load(open(f"{work}/attack-{r}.json")) for r in range(1, rounds + 1)]
open_now = [open(f"{work}/open-{r}.txt").read().strip() or "?" for r in range(1, rounds + 1)]
print(f"quiet p99 (median of {rounds})             {quiet:8.2f} ms   {quiet_note}")
print(f"p99 with slow clients (median of {rounds}) {slow:8.2f} ms   {slow_note}")
print(f"ratio                                 {ratio:8.2f}      (target <= 1.20: {'met' if ratio <= 1.2 else 'NOT met'})")
print(f"client connections open 2 s into each attack: {', '.join(open_now)}")
for r, a in enumerate(attacks, 1):
    print(f"attack {r}: levee closed {a['closed_by_levee']} slow connections ({a['closed_with_408']} with 408), "
          f"first after {a['first_close_s']} s, lifetime median {a['lifetime_median_s']} s, "
          f"max {a['lifetime_max_s']} s; {a['open_at_end']} open when the attack stopped")
PY
