#!/usr/bin/env bash
# End to end: levee-load against its own backend, real processes on 127.0.0.1.
#   1. a low-rate run passes --assert late_ratio<=0.05 and writes a well-formed JSON report;
#   2. a 3x overload with impatient retries and NO proxy collapses: goodput during the overload
#      stays under half the capacity, and --assert overload_goodput>=0.8 fails (exit 1, or 3 when
#      the shared machine made the generator fall behind).
# Usage: collapse_test.sh LEVEE_LOAD PROFILE_DIR WORK_DIR. Every wait is bounded.
set -euo pipefail
load=$1 profiles=$2 work=$3
mkdir -p "$work"
command -v jq >/dev/null || { echo "SKIP: jq not installed"; exit 77; }

backend_pid=""
cleanup() { [[ -n $backend_pid ]] && kill "$backend_pid" 2>/dev/null; wait 2>/dev/null || true; }
trap cleanup EXIT

"$load" backend --listen 127.0.0.1:0 --workers 8 --service-time 10ms >"$work/backend.out" &
backend_pid=$!
port=""
for _ in $(seq 50); do  # at most 5 s
  port=$(grep -o '127\.0\.0\.1:[0-9]*' "$work/backend.out" | head -1 | cut -d: -f2 || true)
  [[ -n $port ]] && break
  sleep 0.1
done
[[ -n $port ]] || { echo "FAIL: backend did not start"; exit 1; }
target="http://127.0.0.1:$port/work"
fail() { echo "FAIL: $*"; exit 1; }

# 1. Low rate: the target keeps up, the run passes.
# --max-lag 50ms: this checks the target, and shared CI machines delay wake-ups by milliseconds.
rc=0
timeout 60 "$load" run -q --target "$target" --rate 200 --duration 3s --timeout 1s \
  --max-lag 50ms --assert 'late_ratio<=0.05' --assert 'goodput_ratio>=0.95' --json "$work/low.json" --csv "$work/low.csv" \
  --html "$work/low.html" || rc=$?
[[ $rc == 0 ]] || fail "low-rate run exited $rc, want 0"
j="$work/low.json"
jq -e '.verdict == "passed" and .valid == true' "$j" >/dev/null || fail "low-rate verdict"
for key in name label targets capacity verdict valid invalid_reasons metrics thresholds recovery total phases bucket_ms series; do
  jq -e "has(\"$key\")" "$j" >/dev/null || fail "report lacks .$key"
done
for m in recovery_time time_to_first_shed overload_goodput goodput_ratio late_ratio shed_ratio error_ratio \
         timeout_ratio amplification goodput_deficit p99 lag_p99; do
  jq -e ".metrics | has(\"$m\")" "$j" >/dev/null || fail "report lacks metric $m"
done
jq -e '.total.offered >= 550 and .total.offered <= 650' "$j" >/dev/null || fail "offered $(jq .total.offered "$j"), want ~600"
jq -e '.series | length >= 30' "$j" >/dev/null || fail "series shorter than 3 s of 100 ms buckets"
jq -e '.series[5].stats | has("goodput") and has("p99_ms") and has("shed") and has("attempts")' "$j" >/dev/null \
  || fail "series bucket shape"
[[ $(head -1 "$work/low.csv" | cut -d, -f1-3) == "t_s,offered,goodput" ]] || fail "CSV header"
grep -q '<svg' "$work/low.html" || fail "HTML report has no chart"
reached=$(curl -s --max-time 5 "http://127.0.0.1:$port/stats" | jq .work_received)
(( reached >= 550 )) || fail "backend /stats counted $reached /work requests, want >= 550"

# 2. 3x overload, impatient users, no proxy: the service collapses and the tool says so.
rc=0
timeout 90 "$load" run -q -p "$profiles/e2e-short.yaml" --target "$target" --capacity 800 \
  --assert 'overload_goodput>=0.8' --json "$work/collapse.json" --html "$work/collapse.html" || rc=$?
j="$work/collapse.json"
[[ $rc == 1 || $rc == 3 ]] || fail "collapse run exited $rc, want 1 (threshold failed) or 3 (invalid)"
goodput=$(jq '.metrics.overload_goodput' "$j")
echo "collapse: overload_goodput=$goodput recovery_time=$(jq .metrics.recovery_time "$j") verdict=$(jq -r .verdict "$j")" \
  "reasons=$(jq -c .invalid_reasons "$j")"
jq -e '.metrics.overload_goodput != null and .metrics.overload_goodput < 0.5' "$j" >/dev/null \
  || fail "overload goodput $goodput, want < 0.5 of capacity (collapse)"
jq -e '.metrics.baseline_goodput_ratio >= 0.95' "$j" >/dev/null || fail "baseline was not served"
jq -e '.phases | map(.role) == ["warmup","baseline","overload","recovery"]' "$j" >/dev/null || fail "phase roles"
jq -e '.metrics.amplification > 1.2' "$j" >/dev/null || fail "impatient retries did not amplify"
echo "PASS"
