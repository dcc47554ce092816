# Sourced by the scripts that start levee and levee-load on 127.0.0.1 for a measurement
# (bench/slowloris/run.sh, scripts/smuggler-scan.sh). Expects $levee and $load to name the
# binaries. Gives them: $work (a scratch directory, removed on exit), $pids (processes to kill
# on exit: append every child) and port_from_log.

for binary in "$levee" "$load"; do
  [[ -x $binary ]] || { echo "missing $binary (build levee and levee-load first)" >&2; exit 2; }
done

work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# Waits (at most 10 s) for a "... listening on HOST:PORT" line and prints the port.
port_from_log() {
  local log=$1 pattern=$2
  for _ in $(seq 100); do
    local line
    line=$(grep -m1 "$pattern" "$log" || true)
    if [[ -n $line ]]; then sed -E "s/.*$pattern[^ ]*:([0-9]+).*/\1/" <<<"$line"; return 0; fi
    sleep 0.1
  done
  echo "no '$pattern' in $log:" >&2; cat "$log" >&2; return 1
}
