#!/usr/bin/env bash
# Fair admission end to end: the backend (4 workers x 10 ms = 400 req/s) behind levee with
# admission.fairness keyed on X-Tenant; tenant A floods at 5x capacity, tenant B asks 0.2x
# (config/loadtest/e2e-fair.yaml, 10 s). Passes when B keeps >= 90% goodput and all flows together
# keep >= 80% of capacity during the flood (the profile's asserts), the run is valid, and levee
# and the backend stop cleanly on SIGTERM.
#   fair_tenants.sh LEVEE LEVEE_LOAD PROFILE_DIR OUT
set -euo pipefail
levee=$1 load=$2 profiles=$3 out=$4
mkdir -p "$out"
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done' EXIT

wait_for() {  # log pattern pid -> the address after the pattern
  for _ in $(seq 100); do
    local a; a=$(grep -o "$2 [0-9.:]*" "$1" | head -1 | awk '{print $NF}') || true
    [[ -n $a ]] && { echo "$a"; return 0; }
    kill -0 "$3" 2>/dev/null || break
    sleep 0.1
  done
  echo "could not start (no '$2' in $1):" >&2; cat "$1" >&2; return 1
}

stop() {  # pid name: SIGTERM, then the exit status must be 0
  kill -TERM "$1"
  local status=0
  wait "$1" || status=$?
  [[ $status == 0 ]] || { echo "FAIL: $2 exited with $status after SIGTERM"; return 1; }
}

"$load" backend --listen 127.0.0.1:0 --workers 4 --service-time 10ms >"$out/backend.log" 2>&1 &
backend=$!; pids+=("$backend")
backend_addr=$(wait_for "$out/backend.log" "listening on" "$backend")

cat >"$out/levee.yaml" <<YAML
listener: {address: 127.0.0.1:0}
admin: {address: 127.0.0.1:0}
upstreams: [{name: service, address: "$backend_addr"}]
admission:
  fairness:
    key: [{header: X-Tenant}]
YAML
"$levee" --config "$out/levee.yaml" >"$out/levee.log" 2>&1 &
levee_pid=$!; pids+=("$levee_pid")
proxy_addr=$(wait_for "$out/levee.log" "proxy listening on" "$levee_pid")

set +e
"$load" run -q --profile "$profiles/e2e-fair.yaml" --capacity 400 --target "http://$proxy_addr/work" --label levee-fair \
  --max-lag 20ms --json "$out/fair.json" --html "$out/fair.html" --flows-csv "$out/fair-flows.csv" | tee "$out/fair.txt"
status=${PIPESTATUS[0]}
set -e

stop "$levee_pid" levee
stop "$backend" "levee-load backend"
pids=()
case $status in
  0) echo "fair tenants: PASS" ;;
  1) echo "FAIL: a threshold failed (see above; report in $out/fair.html)"; exit 1 ;;
  3) echo "FAIL: the run is invalid (see above)"; exit 1 ;;
  *) echo "FAIL: levee-load exited with $status"; exit 1 ;;
esac
