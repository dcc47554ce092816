#!/usr/bin/env bash
# The overload demo and the CI overload-and-recover gate, on 127.0.0.1 only:
#   1. a capacity-limited service (levee-load backend: 4 workers x 10 ms = 400 req/s) is hit by
#      impatient users ramping to 3x its capacity and back, with nothing in front of it;
#   2. the same traffic, against a fresh service, goes through levee with the shipped config;
#   3. the two runs are compared side by side (a table here, and compare.html with both overlaid).
# With --ci, the levee run must pass its thresholds (recovery and goodput), the direct run must
# show the collapse the test exists to prevent, and the exit status says so.
# With --tls, levee terminates TLS (listener.tls, a self-signed certificate made here with
# `openssl req`) and the users speak HTTPS to it, verifying that certificate; the run without
# levee is skipped (the service's collapse does not depend on levee's listener).
# With --h2c, the users speak cleartext HTTP/2 to levee (`levee-load run --http2`: each user a
# stream, a user who gives up a RST_STREAM), levee's listener has http2.h2c on, and it speaks
# HTTP/1.1 to the service as usual; the run without levee is skipped as with --tls.
#
# --profile FILE runs another levee-load profile (the CI gates use overload-recover-short.yaml).
#
#   scripts/overload-demo.sh [--build-dir build/release] [--out build/demo] [--ci] [--tls | --h2c]
#                            [--profile config/loadtest/overload-recover.yaml]
set -euo pipefail
cd "$(dirname "$0")/.."

build=build/release
out=build/demo
profile=config/loadtest/overload-recover.yaml
ci=0
tls=0
h2c=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --build-dir) build=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --ci) ci=1; shift ;;
    --tls) tls=1; shift ;;
    --profile) profile=$2; shift 2 ;;
    --h2c) h2c=1; shift ;;
    *) echo "usage: $0 [--build-dir DIR] [--out DIR] [--ci] [--tls | --h2c] [--profile FILE]" >&2; exit 2 ;;
  esac
done
levee=$build/proxy/levee
load=$build/loadtest/levee-load
capacity=400
mkdir -p "$out"

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

# Starts a process whose first output line names its address; prints "PID ADDRESS".
start_and_read() {
  local log=$1 pattern=$2; shift 2
  "$@" >"$log" 2>&1 &
  local pid=$!
  for _ in $(seq 100); do
    if addr=$(grep -o "$pattern [0-9.:]*" "$log" | head -1 | awk '{print $NF}') && [[ -n $addr ]]; then
      echo "$pid $addr"; return 0
    fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  echo "could not start: $*" >&2; cat "$log" >&2; return 1
}

start_backend() {
  read -r pid addr < <(start_and_read "$out/backend.log" "listening on" \
    "$load" backend --listen 127.0.0.1:0 --workers 4 --service-time 10ms)
  pids+=("$pid"); backend_pid=$pid; backend_addr=$addr
}

# A run over another transport than plain HTTP/1.1 checks levee only: the collapse without
# levee does not depend on how users reach levee.
variant=
[[ $tls == 1 ]] && variant=TLS
[[ $h2c == 1 ]] && variant=h2c
[[ -n $variant && $tls == 1 && $h2c == 1 ]] && { echo "--tls and --h2c are separate runs" >&2; exit 2; }

if [[ -z $variant ]]; then
echo "== 1/3  the service alone: ramp to 3x capacity, impatient users, then back to 0.5x"
start_backend
direct_asserts=()
[[ $ci == 1 ]] && direct_asserts=(--assert 'overload_goodput<=0.5')
set +e
"$load" run --profile "$profile" --capacity $capacity --target "http://$backend_addr/work" --label direct \
  --json "$out/direct.json" --csv "$out/direct.csv" --html "$out/direct.html" "${direct_asserts[@]}"
direct_status=$?
set -e
kill "$backend_pid"; wait "$backend_pid" 2>/dev/null || true
fi

config=config/levee.yaml
scheme=http
transport_args=()
if [[ $tls == 1 ]]; then
  # The shipped config with a listener.tls section added, and a certificate for 127.0.0.1.
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 -subj /CN=levee-demo \
    -addext subjectAltName=IP:127.0.0.1 -keyout "$out/key.pem" -out "$out/cert.pem" 2>/dev/null
  python3 - config/levee.yaml "$out/levee-tls.yaml" "$(realpath "$out")" <<'PY'
import os, sys, yaml
source, target, folder = sys.argv[1:4]
config = yaml.safe_load(open(source))
config["listener"]["tls"] = {"cert_file": f"{folder}/cert.pem", "key_file": f"{folder}/key.pem"}
# Files the shipped config names relative to itself stay found from the copy's folder.
shed = config.get("shed_response") or {}
if shed.get("sorry_page") and not os.path.isabs(shed["sorry_page"]):
    shed["sorry_page"] = os.path.join(os.path.dirname(os.path.abspath(source)), shed["sorry_page"])
yaml.safe_dump(config, open(target, "w"), sort_keys=False)
PY
  config=$out/levee-tls.yaml
  scheme=https
  transport_args=(--ca-file "$out/cert.pem")
fi
if [[ $h2c == 1 ]]; then
  python3 - config/levee.yaml "$out/levee-h2c.yaml" <<'PY'
import os, sys, yaml
source, target = sys.argv[1:3]
config = yaml.safe_load(open(source))
config["listener"]["http2"] = {"enabled": True, "h2c": True}
shed = config.get("shed_response") or {}
if shed.get("sorry_page") and not os.path.isabs(shed["sorry_page"]):
    shed["sorry_page"] = os.path.join(os.path.dirname(os.path.abspath(source)), shed["sorry_page"])
yaml.safe_dump(config, open(target, "w"), sort_keys=False)
PY
  config=$out/levee-h2c.yaml
  transport_args=(--http2)
fi

echo
echo "== 2/3  the same traffic through levee ($config, $scheme), against a fresh service"
start_backend
read -r levee_pid admin_addr < <(LEVEE_UPSTREAM=$backend_addr LEVEE_LISTEN=127.0.0.1:0 LEVEE_ADMIN=127.0.0.1:0 \
  start_and_read "$out/levee.log" "admin listening on" "$levee" --config "$config")
pids+=("$levee_pid")
proxy_addr=$(grep -o 'proxy listening on [0-9.:]*' "$out/levee.log" | awk '{print $NF}')
echo "levee on $proxy_addr (admin $admin_addr) -> service on $backend_addr"
levee_asserts=()
[[ $ci == 1 ]] && levee_asserts=(--assert 'recovery_time<=3s' --assert 'overload_goodput>=0.8' --assert 'baseline_goodput_ratio>=0.95')
set +e
"$load" run --profile "$profile" --capacity $capacity --target "$scheme://$proxy_addr/work" --label levee "${transport_args[@]}" \
  --json "$out/levee.json" --csv "$out/levee.csv" --html "$out/levee.html" "${levee_asserts[@]}"
levee_status=$?
set -e
curl -s "http://$admin_addr/state" >"$out/levee-state.json" 2>/dev/null || true
curl -s "http://$admin_addr/metrics" >"$out/levee-metrics.txt" 2>/dev/null || true

if [[ -n $variant ]]; then
  grep -E '^levee_(tls_handshakes|h2_connections|h2_streams)_total' "$out/levee-metrics.txt" || true
  if [[ $ci == 1 ]]; then
    if [[ $levee_status == 3 ]]; then
      # The generator pays for TLS or HTTP/2 too (handshakes, framing): on a busy
      # small machine it can lag its schedule. Such a run offers a burstier load, not a kinder
      # one; accept it when that is the only reason it is invalid and every threshold holds.
      python3 - "$out/levee.json" <<'PY' || { echo "FAIL: the run through levee over $variant is invalid for another reason"; exit 1; }
import json, sys
run = json.load(open(sys.argv[1]))
ok = all(r.startswith("generator fell behind") for r in run["invalid_reasons"])
ok = ok and all(t["passed"] for t in run["thresholds"])
print("note: the run is invalid only because the generator fell behind; every threshold holds" if ok else "")
sys.exit(0 if ok else 1)
PY
    elif [[ $levee_status != 0 ]]; then
      echo "FAIL: the run through levee over $variant did not pass (exit $levee_status)"; exit 1
    fi
    echo "overload-and-recover over $variant: PASS"
  fi
  exit 0
fi

echo
echo "== 3/3  comparison (capacity $capacity req/s)"
python3 - "$out/direct.json" "$out/levee.json" <<'PY'
import json, sys
direct, levee = (json.load(open(p)) for p in sys.argv[1:3])
def metric(run, name, kind):
    v = run["metrics"].get(name)
    if v is None: return "never" if kind == "s" else "n/a"
    return {"s": f"{v:.2f} s", "ms": f"{v*1000:.0f} ms", "%": f"{v*100:.1f} %", "x": f"{v:.2f}"}[kind]
rows = [("goodput during overload (share of capacity)", "overload_goodput", "%"),
        ("recovery time after the spike", "recovery_time", "s"),
        ("users served in time, whole run", "goodput_ratio", "%"),
        ("p99 latency after the spike", "recovery_p99", "ms"),
        ("attempts timed out", "timeout_ratio", "%"),
        ("attempts shed at once (429)", "shed_ratio", "%"),
        ("attempts per user (retry amplification)", "amplification", "x")]
print(f"{'':46}{'service alone':>16}{'behind levee':>16}")
for label, name, kind in rows:
    print(f"{label:46}{metric(direct, name, kind):>16}{metric(levee, name, kind):>16}")
print(f"{'verdict':46}{direct['verdict']:>16}{levee['verdict']:>16}")
PY
"$load" compare "$out/direct.json" "$out/levee.json" -o "$out/compare.html"
echo
echo "reports: $out/compare.html (both runs overlaid)  $out/direct.html  $out/levee.html"
echo "         (JSON and CSV beside them; levee's /state and /metrics in $out)"

if [[ $ci == 1 ]]; then
  if [[ $direct_status == 3 ]]; then
    # A collapsing service on the same small machine can starve the generator of CPU (thousands
    # of connections churning per second). Such a run still shows the collapse; accept it when
    # that is the only reason it is invalid and the threshold holds.
    python3 - "$out/direct.json" <<'PY' || { echo "FAIL: the run without levee is invalid for another reason"; exit 1; }
import json, sys
run = json.load(open(sys.argv[1]))
ok = all(r.startswith("generator fell behind") for r in run["invalid_reasons"])
ok = ok and all(t["passed"] for t in run["thresholds"])
print("note: the direct run is invalid only because the generator fell behind; the collapse is shown" if ok else "")
sys.exit(0 if ok else 1)
PY
  elif [[ $direct_status != 0 ]]; then
    echo "FAIL: the run without levee did not show collapse (exit $direct_status)"; exit 1
  fi
  [[ $levee_status == 0 ]] || { echo "FAIL: the run through levee did not pass (exit $levee_status)"; exit 1; }
  echo "overload-and-recover: PASS"
fi
