#!/usr/bin/env bash
# Slow-client bench: ordinary traffic through levee, measured quiet and then while slow clients
# attack, in alternating rounds of one run, with the ratios printed against the quiet peer.
#
#   ATTACK=bodies (the default): 300 slow uploads (POST /echo, a few bytes a second) and 300
#     slow downloads (GET /bytes, read a few bytes a second through a small receive window).
#     Most bodies are above levee's buffering limits, so they stream with a permit held and
#     listener.min_transfer_rate must cut them (408 / close); a quarter are below, so levee
#     buffers them and they cost only their connection. Ordinary traffic is levee-load at 0.8x
#     the capacity of a 4-worker levee-load backend (10 ms per /work: 400 req/s).
#     Criterion: goodput within 5 % and p99 within 20 % of the quiet runs.
#   ATTACK=headers: ~300 connections dribble their headers one byte a second (listener
#     .header_timeout's 408); criterion: p99 within 20 %.
#
#   bash bench/slowloris/run.sh [BUILD_DIR]        (default build/release; needs levee, levee-load)
#
# Knobs (environment): ATTACK=bodies RATE (default 0.8x capacity) DURATION=15s ROUNDS=2
# SLOW_CONNECTIONS=300 (per kind) HEADER_TIMEOUT=3s. Run time: about ROUNDS x (2 x DURATION + 6 s).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${1:-$root/build/release}
levee=$build/proxy/levee
load=$build/loadtest/levee-load
attack=${ATTACK:-bodies}
workers=4
service_ms=10
capacity=$((workers * 1000 / service_ms))
rate=${RATE:-$((capacity * 8 / 10))}
duration=${DURATION:-15s}
rounds=${ROUNDS:-2}
slow_connections=${SLOW_CONNECTIONS:-300}
header_timeout=${HEADER_TIMEOUT:-3s}
case $attack in bodies|headers) ;; *) echo "ATTACK must be bodies or headers" >&2; exit 2 ;; esac
source "$root/scripts/lib/local-processes.sh"

"$load" backend --listen 127.0.0.1:0 --workers "$workers" --service-time "${service_ms}ms" \
  --io-threads 2 >"$work/backend.log" 2>&1 &
pids+=($!)
backend_port=$(port_from_log "$work/backend.log" "listening on ")

# Shipped defaults for everything the bench is about (buffering limits 64 KiB, transfer rate
# 500 B/s over 5 s windows after a 5 s grace); uploads and downloads are routes of their own,
# as they would be in front of a real service, so the slots they hold are not /work's.
cat >"$work/levee.yaml" <<YAML
server:
  threads: 2
listener:
  address: 127.0.0.1:0
  max_connections: 4000          # above slow + ordinary connections: the bench is about pace
  header_timeout: $header_timeout  # shipped 10s; short here so the closes show within a run
admin:
  address: 127.0.0.1:0
upstreams:
  - name: backend
    address: 127.0.0.1:$backend_port
routes:
  - name: uploads
    path_prefix: /echo
    upstream: backend
  - name: downloads
    path_prefix: /bytes
    upstream: backend
  - name: work
    path_prefix: /
    upstream: backend
YAML
"$levee" --config "$work/levee.yaml" >"$work/levee.log" 2>&1 &
pids+=($!)
levee_port=$(port_from_log "$work/levee.log" "proxy listening on ")
admin_port=$(port_from_log "$work/levee.log" "admin listening on ")

metric() {  # the value of one series on levee's /metrics, 0 when absent
  curl -s "http://127.0.0.1:$admin_port/metrics" | awk -v s="$1" '$1 == s {print $2; found=1} END {if (!found) print 0}'
}
work_shed() {  # every request of the /work group shed so far (all priorities and reasons)
  curl -s "http://127.0.0.1:$admin_port/metrics" |
    awk 'index($1, "levee_shed_total{group=\"work\"") == 1 {n += $2} END {printf "%d\n", n}'
}
# levee-load marks a run invalid when its own sending lagged (a busy machine); say so.
validity() {
  python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print("" if d["valid"] else " (invalid: " + "; ".join(d["invalid_reasons"]) + ")")' "$1"
}
summary_of() {
  python3 -c 'import json,sys; t=json.load(open(sys.argv[1]))["total"]; print("goodput %s/%s, p99 %s ms" % (t["goodput"], t["offered"], t["p99_ms"]))' "$1"
}
run_load() {
  "$load" run --target "http://127.0.0.1:$levee_port/work" --rate "$rate" --duration "$duration" \
    --timeout 2s --json "$1" -q >"$1.txt" 2>&1 || true
}
duration_s=$(python3 -c 'import re,sys; m=re.fullmatch(r"([\d.]+)(ms|s|m)",sys.argv[1]); print(float(m[1])*{"ms":0.001,"s":1,"m":60}[m[2]])' "$duration")
attack_s=$(python3 -c "print($duration_s + 5)")

start_attack() {  # $1: round; appends the attackers' pids to $attackers
  attackers=()
  if [[ $attack == headers ]]; then
    python3 "$here/slow_clients.py" --port "$levee_port" --connections "$slow_connections" --interval 1 \
      --duration "$attack_s" >"$work/attack-$1-headers.json" &
    attackers+=($!)
  else
    for kind in upload download; do
      # 8 bytes a second: 60x below the shipped minimum rate; 8 MiB bodies, a quarter 16 KiB.
      python3 "$here/slow_clients.py" --port "$levee_port" --connections "$slow_connections" --interval 1 \
        --kind "$kind" --chunk 8 --body-bytes $((8 << 20)) --small-bytes $((16 << 10)) --small-share 0.25 \
        --reconnect-delay 1 --duration "$attack_s" >"$work/attack-$1-$kind.json" &
      attackers+=($!)
    done
  fi
  pids+=("${attackers[@]}")
}

echo "== backend :$backend_port ($workers workers, ${service_ms} ms: capacity $capacity req/s), levee :$levee_port"
echo "== $rounds round(s), each: /work at $rate req/s for $duration quiet, then the same under attack ($attack)"
too_slow_series='levee_errors_total{kind="client_too_slow"}'
# Quiet and attacked runs alternate so that noise from the rest of the machine hits both alike.
for round in $(seq "$rounds"); do
  shed_before=$(work_shed)
  run_load "$work/quiet-$round.json"
  shed_quiet=$(( $(work_shed) - shed_before ))
  too_slow_before=$(metric "$too_slow_series")
  start_attack "$round"
  sleep 3  # let the slow connections open and start dribbling before measuring
  metric levee_client_connections_open >"$work/open-$round.txt"
  run_load "$work/slow-$round.json"
  wait "${attackers[@]}"
  echo $(( $(metric "$too_slow_series" | cut -d. -f1) - ${too_slow_before%.*} )) >"$work/too-slow-$round.txt"
  shed_attacked=$(( $(work_shed) - shed_before - shed_quiet ))
  echo "   round $round: quiet $(summary_of "$work/quiet-$round.json")$(validity "$work/quiet-$round.json");" \
    "attacked $(summary_of "$work/slow-$round.json")$(validity "$work/slow-$round.json");" \
    "/work shed by levee: $shed_quiet quiet, $shed_attacked attacked;" \
    "work limit now $(metric 'levee_admission_limit{group="work"}')"
done

python3 - "$work" "$rounds" "$attack" <<'PY'
import glob, json, statistics, sys
work, rounds, attack = sys.argv[1], int(sys.argv[2]), sys.argv[3]
def total(name):
    return json.load(open(f"{work}/{name}"))["total"]
def summary(kind):
    runs = [total(f"{kind}-{r}.json") for r in range(1, rounds + 1)]
    p99 = statistics.median(t["p99_ms"] for t in runs)
    ok = sum(t["goodput"] for t in runs)
    offered = sum(t["offered"] for t in runs)
    bad = sum(t["timeouts"] + t["errors"] for t in runs)
    return p99, ok, f"({ok}/{offered} ok, {bad} timeouts or errors)"
quiet, quiet_ok, quiet_note = summary("quiet")
slow, slow_ok, slow_note = summary("slow")
p99_ratio = slow / quiet if quiet > 0 else float("inf")
goodput_ratio = slow_ok / quiet_ok if quiet_ok > 0 else 0.0
print(f"quiet p99 (median of {rounds})     {quiet:8.2f} ms   goodput {quiet_note}")
print(f"attacked p99 (median of {rounds})  {slow:8.2f} ms   goodput {slow_note}")
print(f"goodput ratio                 {goodput_ratio:8.3f}      (target >= 0.95: {'met' if goodput_ratio >= 0.95 else 'NOT met'})")
print(f"p99 ratio                     {p99_ratio:8.2f}      (target <= 1.20: {'met' if p99_ratio <= 1.2 else 'NOT met'})")
open_now = [open(f"{work}/open-{r}.txt").read().strip() or "?" for r in range(1, rounds + 1)]
print(f"client connections open 3 s into each attack: {', '.join(open_now)}")
for r in range(1, rounds + 1):
    too_slow = open(f"{work}/too-slow-{r}.txt").read().strip()
    print(f"attack {r}: levee cut {too_slow} streamed transfer(s) as client_too_slow")
    for path in sorted(glob.glob(f"{work}/attack-{r}-*.json")):
        a = json.load(open(path))
        print(f"  {a['kind']:>8}: {a['closed_by_levee']} slow connections ended ({a['closed_with_408']} with 408, "
              f"{a.get('refused', 0)} shed 429/503, {a['closed_small']} small-body), first after {a['first_close_s']} s; "
              f"admitted large-body lifetime median "
              f"{a['lifetime_median_s']} s, max {a['lifetime_max_s']} s; {a['open_at_end']} open when it stopped")
PY
