#!/usr/bin/env bash
# levee-load against the backend at a third of its capacity: every user is served in time,
# the thresholds pass (exit 0; the lag bound leaves room for a shared 2-core CI box), a
# failing threshold exits 1, and the reports are well formed.
set -euo pipefail
load=$1 out=$2
mkdir -p "$out"
version=$("$load" --version)
[[ $version =~ ^levee-load\ [0-9]+\.[0-9]+\.[0-9]+ ]] || { echo "--version printed '$version'"; exit 1; }
"$load" backend --listen 127.0.0.1:0 --workers 4 --service-time 5ms >"$out/backend.log" 2>&1 &
backend=$!
trap 'kill $backend 2>/dev/null || true' EXIT
for _ in $(seq 50); do grep -q 'listening on' "$out/backend.log" && break; sleep 0.1; done
addr=$(grep -o 'listening on [0-9.:]*' "$out/backend.log" | awk '{print $NF}')

"$load" run -q --target "http://$addr/work" --rate 250 --duration 4s --timeout 1s --max-lag 20ms \
  --assert 'late_ratio<=0.01' --assert 'goodput_ratio>=0.99' --assert 'lag_p99<=20ms' \
  --json "$out/calm.json" --csv "$out/calm.csv" --html "$out/calm.html"

set +e
"$load" run -q --target "http://$addr/work" --rate 100 --duration 1s --assert 'p99<=1us' >"$out/failing.txt"
status=$?
set -e
[[ $status == 1 ]] || { echo "a failing threshold must exit 1, got $status"; cat "$out/failing.txt"; exit 1; }
grep -q 'FAIL p99' "$out/failing.txt" || { echo "the failed threshold must be named"; cat "$out/failing.txt"; exit 1; }

set +e
"$load" run -q --target "http://$addr/work" --rate 100 --duration 1s --assert 'nonsense<=1' 2>"$out/usage.txt"
status=$?
set -e
[[ $status == 2 ]] || { echo "a bad threshold must exit 2, got $status"; exit 1; }

python3 - "$out/calm.json" "$out/calm.csv" "$out/calm.html" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
assert report["verdict"] == "passed", report["verdict"]
assert 950 <= report["total"]["offered"] <= 1050, report["total"]["offered"]
assert len(report["series"]) >= 40, len(report["series"])
rows = open(sys.argv[2]).read().splitlines()
assert rows[0].startswith("t_s,offered,goodput"), rows[0]
assert len(rows) >= 41, len(rows)
html = open(sys.argv[3]).read()
assert "<svg" in html and "goodput" in html and "<script" not in html
print("calm run: ok")
PY
