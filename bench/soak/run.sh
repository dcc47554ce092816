#!/usr/bin/env bash
# bench/soak: levee under mixed load with overload spikes for a long while; does it leak?
#
# Backend: 4 workers x 10 ms (C = 400 req/s). Traffic: /work (the guarded, capacity-bound path),
# /bytes?n=16384 (a streamed body) and /status?code=200, round-robin, from impatient callers
# (1 s timeout, 2 immediate retries). Cycles of 40 s at 0.5C then 10 s at 3C, for --duration.
# levee's RSS and open file descriptors are sampled every 5 s; growth is measured from the end of
# the warm-up (the first cycle) to the end. Target: RSS growth < 5%, no descriptor growth.
#   bench/soak/run.sh [--build-dir build/release] [--out build/bench-soak] [--duration 600]
set -euo pipefail
cd "$(dirname "$0")/../.."
build=build/release out=build/bench-soak duration=600
while [[ $# -gt 0 ]]; do
  case "$1" in
    --build-dir) build=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    *) echo "usage: $0 [--build-dir DIR] [--out DIR] [--duration SECONDS]" >&2; exit 2 ;;
  esac
done
levee=$build/proxy/levee load=$build/loadtest/levee-load
cycle=50 warmup=50
(( duration >= 2 * cycle )) || { echo "--duration must be at least $((2 * cycle)) s" >&2; exit 2; }
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

"$load" backend --listen 127.0.0.1:0 --workers 4 --service-time 10ms >"$out/backend.log" 2>&1 &
pids+=("$!")
baddr=$(wait_for "$out/backend.log" "listening on")
printf 'listener: {address: 127.0.0.1:0}\nadmin: {address: 127.0.0.1:0}\nupstreams: [{name: service, address: "%s"}]\nadmission:\n  limit: {kind: fixed, initial: 4}\n' \
  "$baddr" >"$out/levee.yaml"
"$levee" --config "$out/levee.yaml" >"$out/levee.log" 2>&1 &
levee_pid=$!; pids+=("$levee_pid")
laddr=$(wait_for "$out/levee.log" "proxy listening on")
admin=$(wait_for "$out/levee.log" "admin listening on")

{
  echo "name: soak"
  echo "capacity: 400"
  echo "client: {timeout: 1s, deadline: 3s, keep_alive: true, max_connections: 12000}"
  echo "retry: {mode: impatient, max_retries: 2}"
  echo "phases:"
  for ((i = 0; i < duration / cycle; i++)); do
    echo "  - {name: calm-$i,  role: other, rate: 0.5x, duration: 40s}"
    echo "  - {name: spike-$i, role: other, rate: 3x,   duration: 10s}"
  done
} >"$out/profile.yaml"

sample() {
  local rss fds
  rss=$(awk '/VmRSS/ {print $2}' "/proc/$levee_pid/status")
  fds=$(ls "/proc/$levee_pid/fd" | wc -l)
  echo "$1 $rss $fds"
}

idle_before=$(sample 0)
"$load" run -q --profile "$out/profile.yaml" --max-lag 1s \
  --target "http://$laddr/work" --target "http://$laddr/bytes?n=16384" --target "http://$laddr/status?code=200" \
  --json "$out/soak.json" >"$out/soak.txt" 2>&1 &
load_pid=$!; pids+=("$load_pid")
: >"$out/samples.txt"
start=$SECONDS
while kill -0 "$load_pid" 2>/dev/null && (( SECONDS - start < duration + 60 )); do
  sample $((SECONDS - start)) >>"$out/samples.txt"
  sleep 5
done
wait "$load_pid" || true
sleep 2  # connections from the last spike close
sample $((SECONDS - start)) >>"$out/samples.txt"
# Idle pooled upstream connections are descriptors too; they expire after the idle timeout.
pooled=$(curl -s "http://$admin/metrics" | awk '/^levee_upstream_connections\{/ && /open/ {s += $2} END {print s + 0}')

python3 - "$out" "$warmup" "$idle_before" "$pooled" <<'PY'
import json, os, sys
out, warmup = sys.argv[1], int(sys.argv[2])
idle_fds, pooled = int(sys.argv[3].split()[2]), int(float(sys.argv[4]))
rows = [tuple(map(int, l.split())) for l in open(os.path.join(out, "samples.txt")) if l.strip()]
base = next(r for r in rows if r[0] >= warmup)
last = rows[-1]
peak_rss = max(r[1] for r in rows if r[0] >= warmup)
report = json.load(open(os.path.join(out, "soak.json")))
t = report["total"]
print(f"soak: {last[0]} s, {t['offered']} user requests, {t['attempts']} attempts, goodput {t['goodput']}, "
      f"shed {t['shed']}, verdict {report['verdict']}")
print(f"RSS after warm-up {base[1] / 1024:.1f} MiB, at the end {last[1] / 1024:.1f} MiB "
      f"({(last[1] - base[1]) / base[1] * 100:+.1f}%), peak {peak_rss / 1024:.1f} MiB")
print(f"open descriptors idle before the load {idle_fds}, idle after it {last[2]} "
      f"(of which {pooled} pooled upstream connections), max under load {max(r[2] for r in rows)}")
PY
