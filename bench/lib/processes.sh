# Shared by bench scripts (source it): waiting for a process's address in its log, and polling
# levee's limit from /state in the background.

# wait_for LOG PATTERN -> prints the address that follows PATTERN in LOG (10 s at most).
wait_for() {
  for _ in $(seq 100); do
    local a; a=$(grep -o "$2 [0-9.:]*" "$1" | head -1 | awk '{print $NF}') || true
    [[ -n $a ]] && { echo "$a"; return; }; sleep 0.1
  done
  echo "timed out waiting for '$2' in $1" >&2; exit 1
}

# poll_limit ADMIN SECONDS OUT [START]: writes "t limit" every 0.5 s to OUT, in the background
# (its own clock, never delaying the caller); the caller adds $! to its pids. t counts from
# START (seconds since the epoch, `date +%s.%N`; default: when the poller starts), so that a
# caller can line its own events up with the samples.
poll_limit() {
  python3 - "$1" "$2" "${4:-}" >"$3" 2>/dev/null <<'PY' &
import json, sys, time, urllib.request
start = float(sys.argv[3]) if sys.argv[3] else time.time()
while time.time() - start < float(sys.argv[2]):
    try:
        state = json.load(urllib.request.urlopen(f"http://{sys.argv[1]}/state", timeout=1))
        print(f"{time.time() - start:.2f} {state['groups'][0]['limit']}", flush=True)
    except OSError:
        pass
    time.sleep(0.5)
PY
}
