#!/usr/bin/env bash
# bench/overhead/allocations.sh: heap allocations per proxied keep-alive request, in steady state.
#
# levee in front of the bench nginx (the same configs as run.sh: guard on, fixed limit that never
# sheds), warmed up, then wrk drives keep-alive requests while `perf stat` counts calls to libc's
# malloc in levee's process only, through a uprobe (no rebuild, no LD_PRELOAD). Prints the
# requests wrk completed, the malloc calls and their ratio; with --sites, the call sites that
# allocate most (perf record with DWARF call graphs; slower, so the figure above comes from the
# plain count). The uprobe makes each malloc expensive, so req/s here mean nothing: only the
# ratio does. Needs root (perf probe) and perf; allocation counts do not depend on how busy the
# machine is.
#
#   bench/overhead/allocations.sh [--build-dir build/release] [--duration 3] [--connections 10]
#                                 [--response-size BYTES] [--sites]
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
build_dir=$repo/build/release duration=3 connections=10 response_size=0 sites=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --build-dir) build_dir=$(cd "$2" && pwd); shift 2 ;;
    --duration) duration=${2%s}; shift 2 ;;
    --connections) connections=$2; shift 2 ;;
    --response-size) response_size=$2; shift 2 ;;
    --sites) sites=1; shift ;;
    *) echo "usage: $0 [--build-dir DIR] [--duration SECONDS] [--connections N] [--response-size BYTES] [--sites]" >&2; exit 2 ;;
  esac
done
for tool in perf wrk nginx curl; do
  command -v "$tool" >/dev/null || { echo "allocations.sh: $tool not found (scripts/install-deps.sh --bench; perf: apt-get install linux-perf)" >&2; exit 1; }
done
levee=$build_dir/proxy/levee
[[ -x $levee ]] || { echo "allocations.sh: no levee at $levee (build it first)" >&2; exit 1; }
# The allocator levee runs with: jemalloc when it was linked (proxy/CMakeLists.txt), else libc.
# Counted: malloc and aligned_alloc (Asio's coroutine frames), and with jemalloc its own
# operator new and new[] (libstdc++'s call malloc, so with libc they are counted there).
allocator=$(ldd "$levee" | awk '/libjemalloc\.so/ {print $3}')
probes=(levee_malloc=malloc levee_aligned_alloc=aligned_alloc)
if [[ -n $allocator ]]; then
  probes+=(levee_new=_Znwm levee_new_array=_Znam)
else
  allocator=$(ldd "$levee" | awk '/libc\.so/ {print $3}')
fi
group=levee_alloc
perf probe -q -d "$group:*" 2>/dev/null || true  # placed on another library by an earlier run
events=
for probe in "${probes[@]}"; do
  perf probe -q --no-demangle -x "$allocator" "$group:$probe" 2>/dev/null ||
    { echo "allocations.sh: cannot place a uprobe on $allocator ${probe#*=} (root needed)" >&2; exit 1; }
  events+=${events:+,}$group:${probe%%=*}
done

work=$(mktemp -d /tmp/levee-allocs.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
read -r nginx_port levee_port admin_port < <(python3 -c '
import socket
s = [socket.socket() for _ in range(3)]
for x in s: x.bind(("127.0.0.1", 0))
print(*(x.getsockname()[1] for x in s))')
admission='admission: {limit: {kind: fixed, initial: 10000}, queue: {max_length: 10000}, collapse: {enabled: false}}'
render() {
  sed -e "s|@DIR@|$work|g" -e "s|@THREADS@|1|g" -e "s|@LEVEE_AFFINITY@|off|g" -e "s|@HAPROXY_CPU_MAP@||g" -e "s|@NGINX_PORT@|$nginx_port|g" -e "s|@LEVEE_PORT@|$levee_port|g" \
      -e "s|@ADMIN_PORT@|$admin_port|g" -e "s|@ADMISSION@|$admission|g" -e "s|@MAXCONN@|2000|g" \
      -e "s|@LEVEE_TLS@||g" "$1" >"$2"
}
chmod 755 "$work"; mkdir -p "$work/www"
path=/
if (( response_size > 0 )); then head -c "$response_size" /dev/urandom >"$work/www/payload"; path=/payload; fi
render "$here/nginx.conf.in" "$work/nginx.conf"
render "$here/levee.yaml.in" "$work/levee.yaml"
nginx -p "$work" -c "$work/nginx.conf" -e "$work/nginx-error.log" >"$work/nginx.log" 2>&1 &
pids+=("$!")
"$levee" --config "$work/levee.yaml" >"$work/levee.log" 2>&1 &
levee_pid=$!; pids+=("$levee_pid")
url=http://127.0.0.1:$levee_port$path
for _ in $(seq 100); do curl -fsS -o /dev/null --max-time 1 "$url" 2>/dev/null && break; sleep 0.1; done
curl -fsS -o /dev/null "$url" || { tail "$work/levee.log" >&2; exit 1; }

# Warm up: pools, buffers, the allocator's caches and Asio's recycled handler memory.
wrk -t1 -c"$connections" -d2s "$url" >/dev/null
perf stat -x, -e "$events" -p "$levee_pid" -o "$work/malloc.csv" -- sleep $((duration + 1)) &
stat_pid=$!
sleep 0.5
requests=$(wrk -t1 -c"$connections" -d"${duration}s" "$url" | awk '/requests in/ {print $1}')
wait "$stat_pid"
mallocs=$(awk -F, '/levee_alloc:/ {n += $1} END {print n + 0}' "$work/malloc.csv")
awk -v r="$requests" -v m="$mallocs" -v c="$connections" -v s="$response_size" 'BEGIN {
  printf "levee, %d keep-alive connections, %s-byte responses: %d requests, %d allocations: %.1f per request\n",
         c, (s > 0 ? s : 43), r, m, (r > 0 ? m / r : 0) }'
# (The count window is a little longer than wrk's run, so a few idle-time allocations -- the
# 5 ms admission tick's -- are included; they are well under one per request.)

if (( sites )); then
  perf record -q -e "$events" --call-graph dwarf,16384 -p "$levee_pid" -o "$work/sites.data" -- sleep 2 \
    >/dev/null 2>&1 &
  rec_pid=$!
  sleep 0.3
  wrk -t1 -c"$connections" -d1s "$url" >/dev/null
  wait "$rec_pid" || true
  echo "call sites (innermost levee/beast/asio frames), share of malloc calls:"
  perf script -i "$work/sites.data" 2>/dev/null | python3 "$here/allocation_sites.py"
fi
