#!/usr/bin/env bash
# bench/overhead/instructions.sh: user-space instructions per proxied request, levee next to
# HAProxy, counted by valgrind's callgrind. On a shared or noisy machine, req/s and CPU time
# swing by 30% from one run to the next; an instruction count does not (it moves by well under
# 1%), so this is the figure to compare two builds by, one change at a time. It leaves out
# the kernel's share (the system calls, about half of a proxy's CPU on loopback: see
# `strace -c` in README.md) and what the instructions cost in cycles.
#
# Each proxy runs alone under callgrind in front of the bench nginx (one thread, the configs of
# run.sh), is warmed up, then wrk (1 thread, --connections keep-alive connections, 10 unless
# told) drives it for --duration seconds between a zero and a dump of the counters.
#
# --cache adds callgrind's cache and branch simulation (about 3x slower) and prints, per
# request, what decides how many cycles those instructions take: first-level instruction and
# data cache misses and mispredicted indirect branches (callgrind's model: a 32 KiB I1, a
# 48 KiB D1, an indirect branch predicted to go where it went last). Two proxies with the same
# instruction count can differ by a quarter in user time on these; see RESULTS.md.
# --misses-by-function (implies --cache) adds, for each proxy, the functions with the most
# first-level data-cache misses a request (read + write, the function's own, a coroutine's
# ramp and body together): where a request's memory is touched cold. Build with -g
# (CMAKE_CXX_FLAGS=-g) to have the source lines too: callgrind_annotate --auto=yes on --keep's files.
#
#   bench/overhead/instructions.sh [--build-dir build/release] [--levee BIN] [--duration 4]
#                                  [--response-size BYTES] [--request-body BYTES]
#                                  [--connections 10] [--close] [--only levee|haproxy]
#                                  [--keep DIR] [--cache] [--misses-by-function]
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
build_dir=build/release
levee_bin=
duration=4
response_size=0
request_body=0
close_each=0
connections=10
only=
keep=
cache=0
by_function=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --build-dir) build_dir=$2; shift 2 ;;
    --levee) levee_bin=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    --response-size) response_size=$2; shift 2 ;;
    --request-body) request_body=$2; shift 2 ;;
    --close) close_each=1; shift ;;
    --connections) connections=$2; shift 2 ;;
    --only) only=$2; shift 2 ;;
    --keep) keep=$2; shift 2 ;;
    --cache) cache=1; shift ;;
    --misses-by-function) cache=1 by_function=1; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "instructions.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
for tool in valgrind callgrind_control wrk nginx haproxy curl python3; do
  command -v "$tool" >/dev/null || { echo "instructions.sh: $tool not found (scripts/install-deps.sh --bench)" >&2; exit 1; }
done
[[ $build_dir = /* ]] || build_dir="$repo/$build_dir"
levee_bin=${levee_bin:-$build_dir/proxy/levee}
[[ -x $levee_bin ]] || { echo "instructions.sh: no levee binary at $levee_bin" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/levee-instructions.XXXXXX")
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [[ -n $keep ]]; then mkdir -p "$keep" && cp "$work"/callgrind.* "$keep"/ 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

read -r nginx_port levee_port admin_port haproxy_port < <(python3 - <<'PY'
import socket
socks = [socket.socket() for _ in range(4)]
for s in socks:
    s.bind(("127.0.0.1", 0))
print(*(s.getsockname()[1] for s in socks))
PY
)
admission='admission: {limit: {kind: fixed, initial: 10000}, queue: {max_length: 10000}, collapse: {enabled: false}}'
render() {
  sed -e "s|@DIR@|$work|g" -e "s|@THREADS@|1|g" -e "s|@LEVEE_AFFINITY@|off|g" -e "s|@HAPROXY_CPU_MAP@||g" -e "s|@NGINX_PORT@|$nginx_port|g" -e "s|@LEVEE_PORT@|$levee_port|g" \
      -e "s|@ADMIN_PORT@|$admin_port|g" -e "s|@HAPROXY_PORT@|$haproxy_port|g" -e "s|@ADMISSION@|$admission|g" \
      -e "s|@MAXCONN@|2000|g" -e "s|@LEVEE_TLS@||g" -e "s|@HAPROXY_TLS@||g" "$1" >"$2"
}
chmod 755 "$work"; mkdir -p "$work/www"
path=/
if (( response_size > 0 )); then head -c "$response_size" /dev/urandom >"$work/www/payload"; path=/payload; fi
wrk_args=()
if (( request_body > 0 )); then
  printf 'wrk.method = "POST"\nwrk.body = string.rep("x", %d)\n' "$request_body" >"$work/post.lua"
  wrk_args=(-s "$work/post.lua")
fi
(( close_each )) && wrk_args+=(-H "Connection: close")
render "$here/nginx.conf.in" "$work/nginx.conf"
render "$here/haproxy.cfg.in" "$work/haproxy.cfg"
render "$here/levee.yaml.in" "$work/levee.yaml"
nginx -p "$work" -c "$work/nginx.conf" -e "$work/nginx-error.log" >"$work/nginx.log" 2>&1 &
pids+=($!)

wait_for() {  # wait_for URL: up to 30 s (valgrind starts slowly)
  for _ in $(seq 150); do curl -fsS -o /dev/null --max-time 1 "$1" 2>/dev/null && return 0; sleep 0.2; done
  echo "instructions.sh: $1 did not answer" >&2; return 1
}
wait_for "http://127.0.0.1:$nginx_port/"

# measure NAME URL COMMAND...: instructions per request of COMMAND's process under callgrind.
measure() {
  local name=$1 url=$2; shift 2
  local simulate=()
  (( cache )) && simulate=(--cache-sim=yes --branch-sim=yes)
  valgrind --tool=callgrind "${simulate[@]}" --callgrind-out-file="$work/callgrind.$name.%p" "$@" >"$work/$name.log" 2>&1 &
  local pid=$!
  wait_for "$url"
  wrk -t1 -c"$connections" -d1s "${wrk_args[@]}" "$url" >/dev/null  # warm-up: pools, caches, first allocations
  callgrind_control -z "$pid" >/dev/null
  wrk -t1 -c"$connections" -d"${duration}s" "${wrk_args[@]}" "$url" >"$work/wrk.$name.txt"
  callgrind_control -d "$pid" >/dev/null
  kill -TERM "$pid"; wait "$pid" 2>/dev/null || true
  local requests counts
  requests=$(awk '/requests in/ {print $1}' "$work/wrk.$name.txt")
  # Instructions, then (with --cache) I1 misses, D1 read + write misses, indirect mispredictions;
  # callgrind names its columns on the "events:" line.
  counts=$(awk '/^events:/ { for (i = 2; i <= NF; i++) col[$i] = i }
                /^(summary|totals):/ { line = $0 }
                END { split(line, v, " ")
                      printf "%s", v[col["Ir"]]
                      if ("I1mr" in col) printf " %s %s %s", v[col["I1mr"]], v[col["D1mr"]] + v[col["D1mw"]], v[col["Bim"]] }' \
             "$work"/callgrind."$name".*.1)
  (( by_function )) && misses_by_function "$name" "$requests" "$work"/callgrind."$name".*.1 >"$work/misses.$name.txt"
  echo "$name $requests $counts"
}

# misses_by_function NAME REQUESTS FILE: the 12 functions with the most D1 misses a request.
misses_by_function() {
  callgrind_annotate --inclusive=no --threshold=100 --show=D1mr,D1mw --sort=D1mr "$3" 2>/dev/null |
    python3 -c '
import re, sys
name, requests = sys.argv[1], int(sys.argv[2])
per = {}
total = None
for line in sys.stdin:
    m = re.match(r"\s*([\d,]+)\s+(?:\([^)]*\)\s+)?([\d,]+)\s+(?:\([^)]*\)\s+)?(\S.*)$", line)
    if not m:
        continue
    cost = sum(int(g.replace(",", "")) for g in m.group(1, 2))
    if "PROGRAM TOTALS" in line:
        total = cost
        continue
    # The outer frames of a thread (clone, io_context::run) come with the whole cost: callgrind
    # books there what was running when the counters were zeroed. No function of its own has half.
    if total and cost * 2 > total:
        continue
    where = m.group(3).split(":", 1)[-1]
    function = where.split("(", 1)[0].strip()[:90]  # a coroutine ramp and its .actor body: one name
    reads, writes = (int(g.replace(",", "")) for g in m.group(1, 2))
    r, w = per.get(function, (0, 0))
    per[function] = (r + reads, w + writes)
top = sorted(per.items(), key=lambda kv: -(kv[1][0] + kv[1][1]))[:12]
print(f"{name}: D1 misses a request by function (read + write)")
for function, (r, w) in top:
    print(f"  {(r + w) / requests:6.1f} = {r / requests:5.1f} + {w / requests:5.1f}  {function}")
' "$1" "$2"
}

results=()
if [[ -z $only || $only == levee ]]; then
  results+=("$(measure levee "http://127.0.0.1:$levee_port$path" "$levee_bin" --config "$work/levee.yaml")")
fi
if [[ -z $only || $only == haproxy ]]; then
  results+=("$(measure haproxy "http://127.0.0.1:$haproxy_port$path" haproxy -db -f "$work/haproxy.cfg")")
fi

printf '%s\n' "${results[@]}" | awk -v size="${response_size}" -v post="${request_body}" '
  { per[$1] = $3 / $2; printf "%-8s %8d requests  %12.0f instructions/request (user space)", $1, $2, per[$1]
    if (NF > 3) {
      i1[$1] = $4 / $2; d1[$1] = $5 / $2; bim[$1] = $6 / $2
      printf "  %6.0f I1 misses  %6.0f D1 misses  %6.1f indirect mispredicted", i1[$1], d1[$1], bim[$1]
    }
    printf "\n" }
  END { if (("levee" in per) && ("haproxy" in per)) {
          printf "levee/HAProxy: %.2fx (response %s bytes%s)\n", per["levee"] / per["haproxy"], size ? size : 43,
                 post ? ", request body " post " bytes" : ""
          if ("levee" in i1 && i1["haproxy"] > 0 && d1["haproxy"] > 0)
            printf "levee/HAProxy: I1 misses %.2fx, D1 misses %.2fx, indirect mispredicted %+.0f a request\n",
                   i1["levee"] / i1["haproxy"], d1["levee"] / d1["haproxy"], bim["levee"] - bim["haproxy"]
        } }'
if (( by_function )); then cat "$work"/misses.*.txt 2>/dev/null || true; fi
