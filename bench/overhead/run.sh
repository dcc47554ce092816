#!/usr/bin/env bash
# bench/overhead/run.sh: what does levee cost in front of a fast origin, next to HAProxy?
#
# In one go, on 127.0.0.1 only: wrk against (1) nginx directly, (2) levee -> nginx and
# (3) HAProxy -> nginx, same connections/duration/wrk threads for each, rounds interleaved
# (the order rotates each round so no target always runs first or last). Then 1,000 idle
# keep-alive client connections are opened to levee and its RSS is read from /proc.
# Prints req/s, p50 and p99 (median of rounds) per target, the levee/HAProxy ratios with
# PASS/FAIL against the targets (throughput >= 0.9x, p99 <= 1.2x, idle RSS < 30 MiB).
# Exit status is 0 unless --strict is given and something FAILs. See README.md.
#
#   bench/overhead/run.sh [--connections 50] [--duration 10s] [--rounds 3] [--threads 2]
#                         [--proxy-threads 1] [--pin|--no-pin|--pin-each] [--idle-connections 1000]
#                         [--build-dir build/release] [--levee BIN] [--skip-deps]
#                         [--admission fixed|off] [--out DIR] [--keep] [--strict]
#                         [--response-size BYTES] [--request-body BYTES] [--close] [--tls]
#                         [--only idle] [--idle-settle SECONDS]
#
# What each request is (same for every target):
#   default            GET, a 43-byte response, keep-alive on both sides
#   --response-size N  GET of an N-byte file (N as 1024, 64K, 1M), served by nginx from memory
#                      (the page cache): what a proxy costs when it relays real bodies
#   --request-body N   POST of an N-byte body (wrk Lua script), the 43-byte response back
#   --close            a new client connection per request (Connection: close), the proxies'
#                      upstream connections still pooled
#   --tls              levee and HAProxy terminate TLS (wrk speaks HTTPS to them; nginx and the
#                      direct run stay plain HTTP): the same self-signed ECDSA P-256 certificate,
#                      made here with openssl, TLS 1.2+ with Mozilla's intermediate TLS 1.2 list
#                      and OpenSSL's TLS 1.3 suites on both. wrk keeps its connections, so this
#                      measures record encryption; with --close it measures handshakes too. The
#                      idle-connection RSS check is skipped (idle TLS clients would be cut at the
#                      handshake timeout).
#
# --only idle: after the warm-up (so both proxies' heaps have served requests), skip the timed
#   rounds and measure only the idle-connection RSS of levee and HAProxy (with
#   --idle-connections 10000 this takes about a minute).
# --idle-settle S: how long the idle connections idle before RSS is read (default 12). levee
#   parks a connection idle for 1-2 s (proxy/http/parked_connection.h) and its allocator gives
#   the freed session memory back to the system about 10 s later (proxy/main.cpp), so the
#   reading shows the steady state of connections that stay idle. HAProxy's does not move.
#
# --admission fixed (default): levee's overload guard is on, as in production, but with a fixed
#   limit of 10,000 and the collapse detector off, so it never sheds here: the figures include
#   the cost of the admission path itself. --admission off: `admission: {enabled: false}`.
# --out DIR copies the raw wrk outputs, idle-RSS lines, rendered configs and logs to DIR.
#
# Fairness on a small (2-core) machine. wrk, nginx and the proxy under test all need CPU, and
# the proxy is the component being compared, so:
#   - levee and HAProxy run with the same number of threads (--proxy-threads; HAProxy nbthread).
#     Default 1: with 2 cores, wrk (2 threads) and nginx (1 worker) already want more than one
#     core, so a second proxy thread only competes with its own load generator and origin and
#     makes both proxies' numbers noisier without making the comparison any fairer.
#   - --pin (the default when there are at least 2 CPUs) puts the proxy on the last CPU(s) with
#     taskset and wrk + nginx on the others, so the proxy's core is not shared with the load
#     generator and rounds repeat better. The direct-nginx run uses the same placement for
#     wrk and nginx. --no-pin leaves scheduling to the kernel.
#   - --pin-each pins each proxy thread to a CPU of its own, the proxies' own way (levee's
#     server.cpu_affinity: auto, HAProxy's cpu-map), and leaves wrk and nginx to the kernel: what
#     an operator with CPUs to spare for the proxy would do (needs a CPU per proxy thread).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)

connections=50
duration=10s
rounds=3
wrk_threads=2
proxy_threads=1
idle_connections=1000
warmup=2s
build_dir=build/release
levee_bin=
pin=auto
skip_deps=0
keep=0
strict=0
admission=fixed
out_dir=
response_size=0
request_body=0
close_each=0
tls=0
only=
idle_settle=12

usage() { sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; }
while [[ $# -gt 0 ]]; do
  case "$1" in
    --connections) connections=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --threads) wrk_threads=$2; shift 2 ;;
    --proxy-threads) proxy_threads=$2; shift 2 ;;
    --idle-connections) idle_connections=$2; shift 2 ;;
    --warmup) warmup=$2; shift 2 ;;
    --build-dir) build_dir=$2; shift 2 ;;
    --levee) levee_bin=$2; shift 2 ;;
    --pin) pin=on; shift ;;
    --no-pin) pin=off; shift ;;
    --pin-each) pin=each; shift ;;
    --skip-deps) skip_deps=1; shift ;;
    --keep) keep=1; shift ;;
    --admission) admission=$2; shift 2 ;;
    --out) out_dir=$2; shift 2 ;;
    --strict) strict=1; shift ;;
    --response-size) response_size=$2; shift 2 ;;
    --request-body) request_body=$2; shift 2 ;;
    --close) close_each=1; shift ;;
    --tls) tls=1; shift ;;
    --only) only=$2; shift 2 ;;
    --idle-settle) idle_settle=$2; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "run.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done

to_bytes() {  # 64K -> 65536, 1M -> 1048576, 1024 -> 1024
  local n=${1%[KkMm]}
  [[ $n =~ ^[0-9]+$ ]] || { echo "run.sh: '$1' is not a size (e.g. 1024, 64K, 1M)" >&2; exit 2; }
  case "$1" in *[Kk]) echo $(( n * 1024 )) ;; *[Mm]) echo $(( n * 1024 * 1024 )) ;; *) echo "$n" ;; esac
}
response_size=$(to_bytes "$response_size")
request_body=$(to_bytes "$request_body")

[[ -z $only || $only == idle ]] || { echo "run.sh: --only takes 'idle'" >&2; exit 2; }
(( tls )) && [[ $only == idle ]] && { echo "run.sh: --only idle cannot run with --tls" >&2; exit 2; }

case "$admission" in
  fixed) admission_yaml='admission: {limit: {kind: fixed, initial: 10000}, queue: {max_length: 10000}, collapse: {enabled: false}}' ;;
  off) admission_yaml='admission: {enabled: false}' ;;
  *) echo "run.sh: --admission must be fixed or off" >&2; exit 2 ;;
esac

log() { printf '[overhead] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

# The idle client connections + the load's connections + the proxies' upstream sockets need
# more than the usual 1024. HAProxy asks for about twice its maxconn in descriptors (a proxied
# connection has a server side too) and only warns when it cannot have them; an idle client
# connection holds one descriptor in either proxy, so maxconn is kept at what the check opens
# as long as the limit covers one descriptor per connection (10,000 idle connections fit in
# the usual hard limit of 20,000).
# At least 2,000: with a maxconn near the load's own connection count (150 for 50 connections
# and no idle check), HAProxy 2.6 ran at half its speed (17k against 36k req/s keep-alive, twice
# the CPU per request), which no user's setting would do.
max_connections=$(( idle_connections + connections + 100 ))
(( max_connections < 2000 )) && max_connections=2000
wanted_fds=$(( 2 * max_connections + 100 ))
(( wanted_fds < 4096 )) && wanted_fds=4096
ulimit -n "$wanted_fds" 2>/dev/null || ulimit -n "$(ulimit -Hn)" || true
if (( max_connections + 100 > $(ulimit -n) )); then
  max_connections=$(( $(ulimit -n) - 100 ))
  log "warning: ulimit -n is $(ulimit -n): the proxies' maxconn is $max_connections"
fi
[[ $(ulimit -n) -ge $((idle_connections + 200)) ]] ||
  log "warning: ulimit -n is $(ulimit -n); the idle-connection check may run out of descriptors"

# --- dependencies and the levee binary ----------------------------------------------------
if [[ $skip_deps -eq 0 ]]; then
  "$repo/scripts/install-deps.sh" --bench
fi
for tool in wrk nginx haproxy curl python3; do
  command -v "$tool" >/dev/null || die "$tool not found (run scripts/install-deps.sh --bench)"
done

if [[ -z $levee_bin ]]; then
  [[ $build_dir = /* ]] || build_dir="$repo/$build_dir"
  if [[ ! -f $build_dir/CMakeCache.txt ]]; then
    log "configuring a Release build in $build_dir"
    generator=(); command -v ninja >/dev/null && generator=(-G Ninja)
    cmake -S "$repo" -B "$build_dir" "${generator[@]}" -DCMAKE_BUILD_TYPE=Release \
      -DLEVEE_BUILD_TESTS=OFF -DLEVEE_BUILD_BENCH=OFF >/dev/null
  fi
  build_type=$(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' "$build_dir/CMakeCache.txt")
  [[ $build_type == Release ]] ||
    log "warning: $build_dir is a '${build_type:-<none>}' build, not Release; numbers will not be representative"
  log "building levee in $build_dir (no-op when up to date)"
  cmake --build "$build_dir" -j2 --target levee >/dev/null || die "levee did not build (see: cmake --build $build_dir --target levee)"
  levee_bin=$build_dir/proxy/levee
fi
[[ -x $levee_bin ]] || die "no levee binary at $levee_bin"

# --- CPU placement ----------------------------------------------------------------------------
cpus=$(nproc)
if [[ $pin == auto ]]; then pin=off; [[ $cpus -ge 2 ]] && command -v taskset >/dev/null && pin=on; fi
levee_affinity=off haproxy_cpu_map=""   # --pin-each: the proxies pin their own threads
proxy_on=(); load_on=()   # command prefixes; plain arrays (not a function) so that "$!" of a
                          # background start is the server's own PID (taskset execs it)
if [[ $pin == on ]]; then
  (( proxy_threads < cpus )) || die "--pin needs more CPUs ($cpus) than proxy threads ($proxy_threads)"
  proxy_cpus=$(( cpus - proxy_threads )); (( proxy_threads > 1 )) && proxy_cpus+="-$(( cpus - 1 ))"
  load_cpus=0; (( cpus - proxy_threads > 1 )) && load_cpus+="-$(( cpus - proxy_threads - 1 ))"
  proxy_on=(taskset -c "$proxy_cpus"); load_on=(taskset -c "$load_cpus")
  placement="proxy on CPU $proxy_cpus, wrk + nginx on CPU $load_cpus"
elif [[ $pin == each ]]; then
  (( proxy_threads <= cpus )) || die "--pin-each needs a CPU ($cpus) for each proxy thread ($proxy_threads)"
  levee_affinity=auto
  haproxy_cpu_map="cpu-map auto:1/1-$proxy_threads 0-$(( proxy_threads - 1 ))"
  placement="each proxy thread on a CPU of its own (levee cpu_affinity auto, HAProxy cpu-map), wrk + nginx not pinned"
else
  placement="not pinned ($cpus CPUs)"
fi

# --- work directory, processes, cleanup -----------------------------------------------------
work=$(mktemp -d "${TMPDIR:-/tmp}/levee-overhead.XXXXXX")
mkdir -p "$work/results"
pids=()
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  for (( i=${#pids[@]}-1; i>=0; i-- )); do kill -TERM "${pids[i]}" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  if [[ -n $out_dir ]]; then
    mkdir -p "$out_dir" && cp -r "$work/results" "$work"/*.log "$work"/*.yaml "$work"/*.cfg "$work"/*.conf "$out_dir"/ 2>/dev/null || true
    log "results copied to $out_dir"
  fi
  if [[ $keep -eq 1 ]]; then log "kept $work"; else rm -rf "$work"; fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Four distinct free loopback ports (a tiny race with other processes is acceptable here).
read -r nginx_port levee_port admin_port haproxy_port < <(python3 - <<'EOF'
import socket
socks = [socket.socket() for _ in range(4)]
for s in socks:
    s.bind(("127.0.0.1", 0))
print(*(s.getsockname()[1] for s in socks))
EOF
)

# --tls: one certificate for both proxies, and the same cipher policy (levee's defaults, which
# are Mozilla "intermediate"; HAProxy told the same list explicitly).
intermediate_ciphers=ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384:DHE-RSA-CHACHA20-POLY1305
levee_tls_yaml='' haproxy_tls='' scheme=http curl_tls=()
if (( tls )); then
  command -v openssl >/dev/null || die "openssl not found (--tls)"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 -subj /CN=levee-bench \
    -addext subjectAltName=IP:127.0.0.1 -keyout "$work/key.pem" -out "$work/cert.pem" 2>/dev/null ||
    die "openssl could not make a certificate"
  cat "$work/cert.pem" "$work/key.pem" >"$work/haproxy.pem"
  levee_tls_yaml="  tls: {cert_file: $work/cert.pem, key_file: $work/key.pem, min_version: \"1.2\"}"
  haproxy_tls="ssl crt $work/haproxy.pem alpn http/1.1 ssl-min-ver TLSv1.2 ciphers $intermediate_ciphers"
  scheme=https
  curl_tls=(--cacert "$work/cert.pem")
fi

render() {  # render TEMPLATE OUT
  sed -e "s|@DIR@|$work|g" -e "s|@LEVEE_TLS@|$levee_tls_yaml|g" -e "s|@HAPROXY_TLS@|$haproxy_tls|g" -e "s|@THREADS@|$proxy_threads|g" -e "s|@NGINX_PORT@|$nginx_port|g" \
      -e "s|@LEVEE_AFFINITY@|$levee_affinity|g" -e "s|@HAPROXY_CPU_MAP@|$haproxy_cpu_map|g" \
      -e "s|@LEVEE_PORT@|$levee_port|g" -e "s|@ADMIN_PORT@|$admin_port|g" \
      -e "s|@HAPROXY_PORT@|$haproxy_port|g" -e "s|@ADMISSION@|$admission_yaml|g" \
      -e "s|@MAXCONN@|$max_connections|g" "$1" >"$2"
}
# The payload nginx serves for --response-size, and the wrk script for --request-body.
# nginx workers run as an unprivileged user: they must be able to read the payload.
chmod 755 "$work"
mkdir -p "$work/www"
path=/
if (( response_size > 0 )); then
  head -c "$response_size" /dev/urandom >"$work/www/payload"
  path=/payload
fi
wrk_args=()
if (( request_body > 0 )); then
  cat >"$work/post.lua" <<LUA
wrk.method = "POST"
wrk.body = string.rep("x", $request_body)
wrk.headers["Content-Type"] = "application/octet-stream"
LUA
  wrk_args+=(-s "$work/post.lua")
fi
(( close_each )) && wrk_args+=(-H "Connection: close")
render "$here/nginx.conf.in" "$work/nginx.conf"
render "$here/haproxy.cfg.in" "$work/haproxy.cfg"
render "$here/levee.yaml.in" "$work/levee.yaml"

wait_http() {  # wait_http NAME PID URL: until URL answers 200, or the process dies / 10 s pass
  local name=$1 pid=$2 url=$3
  for _ in $(seq 100); do
    kill -0 "$pid" 2>/dev/null || { tail -20 "$work/$name.log" >&2; die "$name exited at start"; }
    curl -fsS "${curl_tls[@]}" -o /dev/null --max-time 1 "$url" 2>/dev/null && return 0
    sleep 0.1
  done
  tail -20 "$work/$name.log" >&2
  die "$name did not answer $url within 10 s"
}

nginx -t -q -p "$work" -c "$work/nginx.conf" -e "$work/nginx-error.log" >"$work/nginx.log" 2>&1 ||
  { cat "$work/nginx.log" >&2; die "nginx rejected its config"; }
"${load_on[@]}" nginx -p "$work" -c "$work/nginx.conf" -e "$work/nginx-error.log" >>"$work/nginx.log" 2>&1 &
nginx_pid=$!; pids+=("$nginx_pid")
wait_http nginx "$nginx_pid" "http://127.0.0.1:$nginx_port/"

"$levee_bin" check "$work/levee.yaml" >"$work/levee.log" 2>&1 ||
  { cat "$work/levee.log" >&2; die "levee rejected its config"; }
"${proxy_on[@]}" "$levee_bin" --config "$work/levee.yaml" >>"$work/levee.log" 2>&1 &
levee_pid=$!; pids+=("$levee_pid")
wait_http levee "$levee_pid" "http://127.0.0.1:$admin_port/readyz"

haproxy -c -q -f "$work/haproxy.cfg" >"$work/haproxy.log" 2>&1 ||
  { cat "$work/haproxy.log" >&2; die "haproxy rejected its config"; }
"${proxy_on[@]}" haproxy -db -f "$work/haproxy.cfg" >>"$work/haproxy.log" 2>&1 &
haproxy_pid=$!; pids+=("$haproxy_pid")

declare -A url=(
  [nginx]="http://127.0.0.1:$nginx_port$path"
  [levee]="$scheme://127.0.0.1:$levee_port$path"
  [haproxy]="$scheme://127.0.0.1:$haproxy_port$path"
)
wait_http haproxy "$haproxy_pid" "${url[haproxy]}"
expected=$(curl -fsS "${url[nginx]}" | md5sum)
for target in levee haproxy; do
  body=$(curl -fsS "${curl_tls[@]}" --max-time 2 "${url[$target]}" | md5sum) || die "$target did not proxy a GET to nginx"
  [[ $body == "$expected" ]] || die "$target returned an unexpected body"
done

log "levee $("$levee_bin" --version 2>/dev/null | awk '{print $2}'), $(haproxy -v | head -1 | awk '{print "HAProxy", $3}'), $(nginx -v 2>&1 | sed 's/.*nginx\//nginx /')"
log "levee admission: $admission_yaml"
log "request: $( (( request_body )) && echo "POST $request_body-byte body" || echo GET) $path, response $( (( response_size )) && echo "$response_size bytes" || echo "43 bytes"), $( (( close_each )) && echo "new connection each" || echo keep-alive)"
(( tls )) && log "TLS on levee and HAProxy: $(curl -sS -v "${curl_tls[@]}" -o /dev/null "${url[levee]}" 2>&1 | sed -n 's/^\* SSL connection using //p') (levee), $(curl -sS -v "${curl_tls[@]}" -o /dev/null "${url[haproxy]}" 2>&1 | sed -n 's/^\* SSL connection using //p') (HAProxy)"
log "wrk: $wrk_threads threads, $connections connections, $duration x $rounds rounds (+ $warmup warm-up); proxy threads: $proxy_threads; $placement"

declare -A server_pid=([levee]=$levee_pid [haproxy]=$haproxy_pid)
cpu_ticks() {  # user + system CPU time of a process (all threads), in clock ticks
  awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat"
}
run_wrk() {  # run_wrk TARGET DURATION OUT: also records the proxy's CPU time next to OUT
  local pid=${server_pid[$1]:-} before=0
  [[ -n $pid ]] && before=$(cpu_ticks "$pid")
  "${load_on[@]}" wrk --latency "${wrk_args[@]}" -t "$wrk_threads" -c "$connections" -d "$2" "${url[$1]}" >"$3" 2>&1 ||
    { cat "$3" >&2; die "wrk against $1 failed"; }
  [[ -n $pid ]] && echo "cpu_ticks=$(( $(cpu_ticks "$pid") - before )) clk_tck=$(getconf CLK_TCK)" >"${3%.txt}.cpu"
  return 0
}

targets=(nginx levee haproxy)
for target in "${targets[@]}"; do run_wrk "$target" "$warmup" "$work/warmup-$target.txt"; done
[[ $only == idle ]] && rounds=0
for (( round = 1; round <= rounds; round++ )); do
  order=()
  for (( i = 0; i < ${#targets[@]}; i++ )); do order+=("${targets[(i + round - 1) % ${#targets[@]}]}"); done
  for target in "${order[@]}"; do
    out="$work/results/$target.$round.txt"
    run_wrk "$target" "$duration" "$out"
    log "round $round/$rounds $(printf '%-8s' "$target") $(awk '/^Requests\/sec/ {print $2, "req/s"}' "$out"), p99 $(awk '$1 == "99%" {print $2}' "$out")"
  done
done

# --- RSS with idle keep-alive client connections ----------------------------------------------
# Measured on the same levee process that just served the load (a realistic, not a fresh,
# heap); HAProxy's figure is printed for reference.
for target in levee haproxy; do
  (( tls )) && { log "idle-connection RSS check skipped with --tls"; break; }
  pid_var=${target}_pid
  kill -0 "${!pid_var}" 2>/dev/null || die "$target died during the load rounds"
  port_var=${target}_port
  port=${!port_var}
  python3 "$here/idle_conns.py" --port "$port" --pid "${!pid_var}" --connections "$idle_connections" --settle "$idle_settle" \
    >"$work/results/idle-$target.txt" 2>&1 || log "warning: idle-connection check against $target: $(tail -1 "$work/results/idle-$target.txt")"
done

report_args=(--dir "$work/results")
[[ $strict -eq 1 ]] && report_args+=(--strict)
[[ $only == idle ]] && report_args+=(--idle-only)
python3 "$here/report.py" "${report_args[@]}"
