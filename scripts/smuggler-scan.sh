#!/usr/bin/env bash
# Runs the third-party request-smuggling scanner defparam/smuggler against levee in front of the
# levee-load backend, all on 127.0.0.1. The scanner is not vendored (and cannot be cloned
# offline here): pass the path of a checkout of https://github.com/defparam/smuggler.
#
#   bash scripts/smuggler-scan.sh /path/to/smuggler [BUILD_DIR] [CONFIG]
#
# BUILD_DIR defaults to build/release; CONFIG is a smuggler payload config (default.py,
# doubles.py, exhaustive.py). Exit status: 0 when smuggler reports no issue, 1 otherwise.
# smuggler flags a payload when the connection times out; levee answers every ambiguous
# framing with 400 at once, so a finding here deserves a look at levee's log.
set -euo pipefail

smuggler=${1:?usage: smuggler-scan.sh SMUGGLER_CHECKOUT [BUILD_DIR] [CONFIG]}
root=$(cd "$(dirname "$0")/.." && pwd)
build=${2:-$root/build/release}
payloads=${3:-default.py}
levee=$build/proxy/levee
load=$build/loadtest/levee-load
[[ -f $smuggler/smuggler.py ]] || { echo "no smuggler.py in $smuggler" >&2; exit 2; }
source "$root/scripts/lib/local-processes.sh"

"$load" backend --listen 127.0.0.1:0 --workers 4 --service-time 1ms >"$work/backend.log" 2>&1 &
pids+=($!)
backend_port=$(port_from_log "$work/backend.log" "listening on ")

# The shipped header timeout (10 s) is longer than smuggler's 5 s socket timeout, which is what
# smuggler would see for a request levee is still waiting on; keep the shipped value.
cat >"$work/levee.yaml" <<YAML
server:
  threads: 2
listener:
  address: 127.0.0.1:0
  header_timeout: 10s
admin:
  address: 127.0.0.1:0
upstreams:
  - name: backend
    address: 127.0.0.1:$backend_port
YAML
"$levee" --config "$work/levee.yaml" >"$work/levee.log" 2>&1 &
pids+=($!)
levee_port=$(port_from_log "$work/levee.log" "proxy listening on ")

echo "== smuggler ($payloads) against levee :$levee_port -> backend :$backend_port"
# smuggler writes the payload of every finding under its own payloads/ folder; count the new ones.
before=$(ls "$smuggler/payloads" 2>/dev/null | wc -l)
(cd "$smuggler" && python3 smuggler.py -u "http://127.0.0.1:$levee_port/" -c "$payloads" --no-color \
  -l "$work/smuggler.log") || true
after=$(ls "$smuggler/payloads" 2>/dev/null | wc -l)
issues=$(grep -c "Potential" "$work/smuggler.log" || true)
echo "== smuggler reported ${issues:-0} potential issue(s); $((after - before)) payload file(s) written"
[[ ${issues:-0} -eq 0 ]]
